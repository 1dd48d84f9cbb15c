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
    const rows = await db.execute(sql`
      INSERT INTO rate_limits (key, window_start, count) VALUES (${limit.key}, ${windowStart(limit, now).toISOString()}, 1)
      ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
      RETURNING count`);
    const count = Number(rowsOf<{ count: number }>(rows)[0]?.count ?? 0);
    if (count > limit.max && !exceeded) exceeded = limit;
  }
  return exceeded;
}

/** Gives a hit back (a successful login, a refused action): counting first keeps the check atomic. */
export async function refundLimits(db: Db, limits: Limit[], now = new Date()): Promise<void> {
  for (const limit of limits) {
    await db.execute(sql`UPDATE rate_limits SET count = count - 1 WHERE key = ${limit.key} AND window_start = ${windowStart(limit, now).toISOString()} AND count > 0`);
  }
}

function windowStart(limit: Limit, now: Date): Date {
  return new Date(Math.floor(now.getTime() / (limit.windowS * 1000)) * limit.windowS * 1000);
}

/** Drops windows older than a day; called now and then by the server. */
export async function pruneRateLimits(db: Db, now = new Date()): Promise<void> {
  await db.execute(sql`DELETE FROM rate_limits WHERE window_start < ${new Date(now.getTime() - 86_400_000).toISOString()}`);
}
