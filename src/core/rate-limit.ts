/**
 * Fixed-window rate limits kept in Postgres, so a restart (or another replica) does not reset them.
 * One upsert per hit: the counter and the decision come back in the same statement.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { rowsOf } from '../db/rows.js';

export interface Limit {
  key: string;
  max: number;
  windowS: number;
}

/** Counts one hit against every limit; returns the first limit exceeded (after counting) or null. */
export async function hitLimits(db: Db, limits: Limit[], now = new Date()): Promise<Limit | null> {
  let exceeded: Limit | null = null;
  for (const limit of limits) {
    const windowStart = new Date(Math.floor(now.getTime() / (limit.windowS * 1000)) * limit.windowS * 1000);
    const rows = await db.execute(sql`
      INSERT INTO rate_limits (key, window_start, count) VALUES (${limit.key}, ${windowStart.toISOString()}, 1)
      ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
      RETURNING count`);
    const count = Number(rowsOf<{ count: number }>(rows)[0]?.count ?? 0);
    if (count > limit.max && !exceeded) exceeded = limit;
  }
  return exceeded;
}

/** Drops windows older than a day; called now and then by the server. */
export async function pruneRateLimits(db: Db, now = new Date()): Promise<void> {
  await db.execute(sql`DELETE FROM rate_limits WHERE window_start < ${new Date(now.getTime() - 86_400_000).toISOString()}`);
}
