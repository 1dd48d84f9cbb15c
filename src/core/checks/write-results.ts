/**
 * Writes a batch of results in one statement: it unnests one array parameter per column, updates
 * every latest state and appends the history rows, so the statement and parameter counts stay
 * constant whatever the batch size. Arrays are sent as Postgres array literals (text cast to
 * uuid[]/int[]/…): the same on postgres.js and PGlite, and much cheaper for the server than
 * parsing a JSON document of 10,000 objects (json_to_recordset), measured ~2× on the history insert.
 */
import { type SQL, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { LOOP_SLICE, yieldToLoop } from '../event-loop.js';
import type { NextState } from './transition.js';

export interface StateWrite extends NextState {
  hostId: string;
  checkId: string;
  kind: string;
}

/** One element of a Postgres array literal: always quoted, so any text (commas, braces, "NULL") is kept as it is. */
export function arrayElement(v: string | null): string {
  if (v === null) return 'NULL';
  return v.includes('"') || v.includes('\\') ? `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"` : `"${v}"`;
}

/** Key order (host, check) of two writes: the order rows are locked in. */
const before = (a: StateWrite, b: StateWrite) => a.hostId < b.hostId || (a.hostId === b.hostId && a.checkId < b.checkId);

function inKeyOrder(rows: readonly StateWrite[]): boolean {
  for (let i = 1; i < rows.length; i++) if (before(rows[i]!, rows[i - 1]!)) return false;
  return true;
}

/** Array elements that need no quotes: ids and statuses (not the word NULL, which would read as null). */
const UNQUOTED = /^(?!null$)[0-9A-Za-z_.:-]+$/i;
const element = (v: string) => (UNQUOTED.test(v) ? v : arrayElement(v));

/**
 * The batch as one array literal per column, and the metrics as one JSON array. Only cheap types
 * cross: times as epoch milliseconds (parsing 10,000 timestamptz or jsonb values one by one was a
 * third of the statement), numbers as they are, ids and statuses as they are when they need no
 * quotes, any other string quoted (an id holding a comma cannot shift the columns). Few strings
 * per row are made (the garbage of 10,000 rows was most of a sweep's collector pauses). Built in
 * slices: 10,000 rows never hold the loop long.
 */
async function columnLiterals(rows: StateWrite[]): Promise<{ arrays: string[]; metrics: string }> {
  const n = rows.length;
  const text: string[][] = Array.from({ length: 5 }, () => new Array<string>(n));
  const nums: number[][] = Array.from({ length: 8 }, () => new Array<number>(n).fill(0));
  const metrics = new Array<string>(n);
  for (let i = 0; i < n; i += LOOP_SLICE) {
    if (i > 0) await yieldToLoop();
    const end = Math.min(n, i + LOOP_SLICE);
    for (let j = i; j < end; j++) {
      const r = rows[j]!;
      text[0]![j] = element(r.hostId);
      text[1]![j] = element(r.checkId);
      text[2]![j] = element(r.status);
      text[3]![j] = element(r.lastStatus);
      text[4]![j] = arrayElement(r.summary);
      nums[0]![j] = r.observedAt.getTime();
      nums[1]![j] = r.since.getTime();
      nums[2]![j] = r.consecutiveFailures;
      nums[3]![j] = r.consecutiveOk;
      nums[4]![j] = r.nextDueAt.getTime();
      nums[5]![j] = r.backoffS;
      nums[6]![j] = r.durationMs;
      nums[7]![j] = r.resultCount;
      metrics[j] = r.metrics ? JSON.stringify(r.metrics) : 'null';
    }
  }
  const literal = (c: readonly (string | number)[]) => `{${c.join(',')}}`;
  return { arrays: [...text.map(literal), ...nums.map(literal)], metrics: `[${metrics.join(',')}]` };
}

/** A scheduler's lease on a check (check_definitions.lease_owner), given back by the batch's last write. */
export interface Lease {
  checkId: string;
  owner: string;
}

/**
 * The statement that gives a lease back (to run alone or as a CTE of another statement). Marks it
 * free at now(): a distinct value, so a claim working from an older snapshot sees that it moved.
 * `dueNow`: the batch failed and its pairs may be unwritten, so the check is due again.
 */
export const giveBack = (lease: Lease, { dueNow = false } = {}) =>
  sql`UPDATE check_definitions SET lease_owner = NULL, lease_until = now()${dueNow ? sql`, next_due_at = least(next_due_at, now())` : sql``}
      WHERE id = ${lease.checkId} AND lease_owner = ${lease.owner}`;

/** Gives back the lease of a batch that failed: its pairs may be unwritten, so the check is due again. */
export async function abandonLease(db: Db, lease: Lease): Promise<void> {
  await db.execute(giveBack(lease, { dueNow: true }));
}

/** Postgres reports a deadlock (two writers of the same states locking them in different orders). */
const isDeadlock = (e: unknown) => (e as { code?: string })?.code === '40P01' || (e as { cause?: { code?: string } })?.cause?.code === '40P01';

/** What else the write statement does: give a lease back, and read what the caller needs next. */
export interface WriteAlso {
  lease?: Lease;
  /**
   * A SELECT run as the statement's main query, its rows returned. It sees the database as it was
   * before this statement's own writes (Postgres runs a statement on one snapshot).
   */
  read?: SQL;
}

/**
 * Writes the batch in one statement: updates the latest states and appends history for every state
 * that still exists (a host or check deleted, or a host no longer targeted, while the batch ran
 * keeps nothing). With `also.lease`, gives that lease back in the same statement; with `also.read`,
 * returns that query's rows.
 */
export async function writeResults<R = Record<string, unknown>>(db: Db, unsorted: StateWrite[], also: WriteAlso = {}): Promise<R[]> {
  const { lease, read } = also;
  const parts: SQL[] = [];
  if (unsorted.length > 0) parts.push(await writeCtes(unsorted));
  if (lease) parts.push(sql`released AS (${giveBack(lease)})`);
  if (parts.length === 0) return read ? rowsOf<R>(await db.execute(read)) : [];
  const statement = sql`WITH ${sql.join(parts, sql`, `)} ${read ?? sql`SELECT`}`;
  try {
    return rowsOf<R>(await db.execute(statement));
  } catch (e) {
    // Rare (a sweep and runChecks writing the same states at once) and harmless once retried.
    if (!isDeadlock(e)) throw e;
    return rowsOf<R>(await db.execute(statement));
  }
}

/** The CTEs that update the latest states and append their history. */
async function writeCtes(unsorted: StateWrite[]): Promise<SQL> {
  // A stable row order makes two writers (a sweep and runChecks) lock rows alike; the claim returns
  // pairs in key order, so a sweep's results rarely need sorting.
  const rows = inKeyOrder(unsorted) ? unsorted : [...unsorted].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  const { arrays, metrics } = await columnLiterals(rows);
  const [hostId, checkId, status, lastStatus, summary, observedMs, sinceMs, fails, oks, nextDueMs, backoff, duration, count] = arrays;
  return sql`written AS (
      UPDATE check_state cs SET status = x.status, last_status = x.last_status, summary = x.summary,
        metrics = nullif(x.metrics, 'null'::jsonb), observed_at = to_timestamp(x.observed_ms / 1000::float8),
        since = to_timestamp(x.since_ms / 1000::float8), consecutive_failures = x.fails, consecutive_ok = x.oks,
        next_due_at = to_timestamp(x.next_due_ms / 1000::float8), backoff_s = x.backoff, duration_ms = x.duration, result_count = x.count
      FROM ROWS FROM (unnest(${hostId}::uuid[]), unnest(${checkId}::uuid[]), unnest(${status}::text[]), unnest(${lastStatus}::text[]),
             unnest(${summary}::text[]), jsonb_array_elements(${metrics}::text::jsonb), unnest(${observedMs}::int8[]), unnest(${sinceMs}::int8[]),
             unnest(${fails}::int4[]), unnest(${oks}::int4[]), unnest(${nextDueMs}::int8[]), unnest(${backoff}::int4[]),
             unnest(${duration}::float8[]), unnest(${count}::int4[]))
        AS x(host_id, check_id, status, last_status, summary, metrics, observed_ms, since_ms, fails, oks, next_due_ms, backoff, duration, count)
      WHERE cs.host_id = x.host_id AND cs.check_id = x.check_id
      RETURNING cs.host_id, cs.check_id, cs.kind, cs.last_status, cs.summary, cs.metrics, cs.observed_at, cs.duration_ms
    ), history AS (
      INSERT INTO check_results (host_id, check_id, kind, status, summary, metrics, observed_at, duration_ms)
      SELECT host_id, check_id, kind, last_status, summary, metrics, observed_at, duration_ms FROM written
    )`;
}
