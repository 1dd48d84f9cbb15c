/**
 * Check history housekeeping. `check_results` has no foreign keys (they cost a third of a sweep's
 * write), so whoever deletes hosts or checks deletes their history here, in the same transaction.
 */
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { checkResults } from '../../db/tables/checks.js';

export async function deleteHostHistory(db: Db, hostIds: string[]): Promise<void> {
  if (hostIds.length) await db.delete(checkResults).where(inArray(checkResults.hostId, hostIds));
}

export async function deleteCheckHistory(db: Db, checkIds: string[]): Promise<void> {
  if (checkIds.length) await db.delete(checkResults).where(inArray(checkResults.checkId, checkIds));
}

/** Drops results older than the retention setting. */
export async function pruneHistory(db: Db, retentionDays: number): Promise<void> {
  await db.execute(sql`DELETE FROM check_results WHERE observed_at < now() - make_interval(days => ${retentionDays})`);
}
