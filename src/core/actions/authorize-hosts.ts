/**
 * Every action on hosts checks the caller's grant for every target. A refusal names the hosts,
 * writes a DENIED audit event and changes nothing.
 */
import type { Db } from '../../db/client.js';
import type { Role } from '../../db/tables/auth.js';
import { writeAudit } from '../audit.js';
import { mayActOnHost, type Principal } from '../auth/principal.js';
import { ForbiddenError } from '../errors.js';
import { groupIdsOfHosts, type HostRow } from '../inventory/select-hosts.js';
import type { PubSub } from '../pubsub.js';

export async function authorizeHosts(
  db: Db,
  pubsub: PubSub,
  principal: Principal,
  role: Role,
  targets: HostRow[],
  audit: { action: string; reason?: string | null; requestId?: string },
): Promise<void> {
  const groupsOf = await groupIdsOfHosts(
    db,
    targets.map((h) => h.id),
  );
  const refused = targets.filter((h) => !mayActOnHost(principal, role, groupsOf.get(h.id) ?? []));
  if (refused.length === 0) return;
  const names = refused.map((h) => h.name);
  await writeAudit(db, pubsub, {
    principal,
    action: audit.action,
    targets: targets.map((h) => h.name),
    reason: audit.reason,
    outcome: 'DENIED',
    details: { refused: names, requiredRole: role },
    requestId: audit.requestId,
  });
  const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');
  throw new ForbiddenError(`${role.toLowerCase()} rights needed on ${shown}; nothing was done`);
}
