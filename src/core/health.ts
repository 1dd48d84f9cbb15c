/** Health roll-up: a host's health is the worst of its checks' states (disabled hosts: DISABLED). */
import { sql } from 'drizzle-orm';
import type { CheckStatus } from './plugin.js';

export const HEALTHS = ['OK', 'WARN', 'CRIT', 'UNKNOWN', 'DISABLED'] as const;
export type Health = (typeof HEALTHS)[number];

/** Severity order for the roll-up: CRIT is worst; UNKNOWN ranks below WARN (no data is not a fault). */
const SEVERITY: Record<CheckStatus, number> = { OK: 0, UNKNOWN: 1, WARN: 2, CRIT: 3 };

export function rollUpHealth(enabled: boolean, statuses: readonly CheckStatus[]): Health {
  if (!enabled) return 'DISABLED';
  if (statuses.length === 0) return 'UNKNOWN';
  return statuses.reduce<CheckStatus>((worst, s) => (SEVERITY[s] > SEVERITY[worst] ? s : worst), 'OK');
}

/** The same roll-up as SQL over check_state, for filtering hosts by health in the database. */
export const healthSql = sql<Health>`(CASE
  WHEN NOT hosts.enabled THEN 'DISABLED'
  WHEN EXISTS (SELECT 1 FROM check_state cs WHERE cs.host_id = hosts.id AND cs.status = 'CRIT') THEN 'CRIT'
  WHEN EXISTS (SELECT 1 FROM check_state cs WHERE cs.host_id = hosts.id AND cs.status = 'WARN') THEN 'WARN'
  WHEN EXISTS (SELECT 1 FROM check_state cs WHERE cs.host_id = hosts.id AND cs.status = 'UNKNOWN') THEN 'UNKNOWN'
  WHEN EXISTS (SELECT 1 FROM check_state cs WHERE cs.host_id = hosts.id) THEN 'OK'
  ELSE 'UNKNOWN' END)`;
