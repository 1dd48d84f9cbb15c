/** Does check definition `cd` target host `h`? The same rule in SQL (sync) and in JS (runChecks). */
import { sql } from 'drizzle-orm';
import type { CheckTarget } from '../../db/tables/checks.js';

export const targetMatchSql = sql.raw(`(
  COALESCE((cd.target->>'all')::boolean, false)
  OR jsonb_exists(COALESCE(cd.target->'hosts', '[]'::jsonb), h.name)
  OR EXISTS (SELECT 1 FROM host_groups hg JOIN groups g ON g.id = hg.group_id
             WHERE hg.host_id = h.id AND jsonb_exists(COALESCE(cd.target->'groups', '[]'::jsonb), g.name)))`);

export function targetMatches(target: CheckTarget, hostName: string, hostGroupNames: readonly string[]): boolean {
  if (target.all) return true;
  if (target.hosts?.includes(hostName)) return true;
  return !!target.groups?.some((g) => hostGroupNames.includes(g));
}
