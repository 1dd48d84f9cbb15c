/** Publishes hostUpdated with each host's groups, so subscribers can filter by group server-side. */
import type { Db } from '../../db/client.js';
import type { PubSub } from '../pubsub.js';
import { groupIdsOfHosts } from './select-hosts.js';

export async function publishHostsUpdated(db: Db, pubsub: PubSub, hostIds: string[]): Promise<void> {
  if (hostIds.length === 0) return;
  const groupsOf = await groupIdsOfHosts(db, hostIds);
  for (const hostId of hostIds) await pubsub.publish('hostUpdated', { hostId, groupIds: groupsOf.get(hostId) ?? [] });
}
