/**
 * Writes a batch of results in one statement: a CTE reads the batch from a single JSON parameter
 * (jsonb_to_recordset), upserts every latest state and appends the history rows, so the statement
 * and parameter counts stay constant whatever the batch size. The parameter is cast ::text::jsonb:
 * postgres.js would otherwise send it as a JSON string value rather than the array it holds.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { NextState } from './transition.js';

export interface StateWrite extends NextState {
  hostId: string;
  checkId: string;
  kind: string;
}

export async function writeResults(db: Db, unsorted: StateWrite[]): Promise<void> {
  if (unsorted.length === 0) return;
  // A stable row order means two writers (a sweep and runChecks) lock rows in the same order: no deadlock.
  const key = (r: StateWrite) => `${r.hostId}/${r.checkId}`;
  const rows = [...unsorted].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const batch = JSON.stringify(
    rows.map((r) => ({
      host_id: r.hostId,
      check_id: r.checkId,
      kind: r.kind,
      status: r.status,
      last_status: r.lastStatus,
      summary: r.summary,
      metrics: r.metrics,
      observed_at: r.observedAt.toISOString(),
      since: r.since.toISOString(),
      consecutive_failures: r.consecutiveFailures,
      consecutive_ok: r.consecutiveOk,
      next_due_at: r.nextDueAt.toISOString(),
      backoff_s: r.backoffS,
      duration_ms: r.durationMs,
      result_count: r.resultCount,
    })),
  );
  // The joins drop results of hosts or checks deleted while the batch ran (no foreign-key error).
  await db.execute(sql`
    WITH x AS MATERIALIZED (
      SELECT x.* FROM jsonb_to_recordset(${batch}::text::jsonb) AS x(host_id uuid, check_id uuid, kind text, status text,
           last_status text, summary text, metrics jsonb, observed_at timestamptz, since timestamptz,
           consecutive_failures int, consecutive_ok int, next_due_at timestamptz, backoff_s int, duration_ms float8, result_count int)
      JOIN hosts h ON h.id = x.host_id JOIN check_definitions cd ON cd.id = x.check_id
    ), states AS (
      INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, metrics, observed_at, since,
                               consecutive_failures, consecutive_ok, next_due_at, backoff_s, duration_ms, result_count)
      SELECT host_id, check_id, kind, status, last_status, summary, metrics, observed_at, since,
             consecutive_failures, consecutive_ok, next_due_at, backoff_s, duration_ms, result_count FROM x
      ON CONFLICT (host_id, check_id) DO UPDATE SET
        kind = excluded.kind, status = excluded.status, last_status = excluded.last_status, summary = excluded.summary,
        metrics = excluded.metrics, observed_at = excluded.observed_at, since = excluded.since,
        consecutive_failures = excluded.consecutive_failures, consecutive_ok = excluded.consecutive_ok,
        next_due_at = excluded.next_due_at, backoff_s = excluded.backoff_s, duration_ms = excluded.duration_ms,
        result_count = excluded.result_count
      RETURNING 1
    )
    INSERT INTO check_results (host_id, check_id, kind, status, summary, metrics, observed_at, duration_ms)
    SELECT host_id, check_id, kind, last_status, summary, metrics, observed_at, duration_ms FROM x`);
}
