/**
 * A suspect sweep: most of a check's healthy hosts failed it at once, so no state was turned bad
 * and Corral doubts its own monitoring. It is recorded as an audit event asking for review, which
 * is what `monitorAlerts`, the dashboard and the CLI show.
 */
import type { Db } from '../../db/client.js';
import { writeAudit } from '../audit.js';
import { ANONYMOUS } from '../auth/principal.js';
import type { PubSub } from '../pubsub.js';

export const SUSPECT_SWEEP_ACTION = 'monitor.suspect';

export interface SuspectSweep {
  check: string;
  kind: string;
  /** Healthy hosts that failed, of `total` healthy hosts in the sweep. */
  failing: number;
  total: number;
}

export async function recordSuspectSweep(db: Db, pubsub: PubSub | null, sweep: SuspectSweep): Promise<void> {
  await writeAudit(db, pubsub, { principal: ANONYMOUS, action: SUSPECT_SWEEP_ACTION, outcome: 'REVIEW', details: { ...sweep } });
}
