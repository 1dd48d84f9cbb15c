/**
 * Writes a batch of results: one statement upserts every latest state, one inserts the history
 * rows. Both read a single JSON parameter (jsonb_to_recordset), so the statement count and the
 * parameter count stay constant whatever the batch size. The parameter is cast ::text::jsonb:
 * postgres.js would otherwise send it as a JSON string value rather than the array it holds.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import type { CheckStatus } from '../plugin.js';
import type { NextState } from './transition.js';

export interface StateWrite extends NextState {
  hostId: string;
  checkId: string;
  kind: string;
}

export async function writeResults(db: Db, unsorted: StateWrite[]): Promise<void> {
  if (unsorted.length === 0) return;
  // A stable row order means two writers (a sweep and runChecks) lock rows in the same order: no deadlock.
  const rows = [...unsorted].sort((a, b) => (a.hostId === b.hostId ? a.checkId.localeCompare(b.checkId) : a.hostId.localeCompare(b.hostId)));
  const states = JSON.stringify(
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
  await db.execute(sql`
    INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, metrics, observed_at, since,
                             consecutive_failures, consecutive_ok, next_due_at, backoff_s, duration_ms, result_count)
    SELECT x.host_id, x.check_id, x.kind, x.status, x.last_status, x.summary, x.metrics, x.observed_at, x.since,
           x.consecutive_failures, x.consecutive_ok, x.next_due_at, x.backoff_s, x.duration_ms, x.result_count
    FROM jsonb_to_recordset(${states}::text::jsonb) AS x(host_id uuid, check_id uuid, kind text, status text, last_status text,
         summary text, metrics jsonb, observed_at timestamptz, since timestamptz, consecutive_failures int,
         consecutive_ok int, next_due_at timestamptz, backoff_s int, duration_ms float8, result_count int)
    WHERE EXISTS (SELECT 1 FROM hosts WHERE id = x.host_id) AND EXISTS (SELECT 1 FROM check_definitions WHERE id = x.check_id)
    ON CONFLICT (host_id, check_id) DO UPDATE SET
      kind = excluded.kind, status = excluded.status, last_status = excluded.last_status, summary = excluded.summary,
      metrics = excluded.metrics, observed_at = excluded.observed_at, since = excluded.since,
      consecutive_failures = excluded.consecutive_failures, consecutive_ok = excluded.consecutive_ok,
      next_due_at = excluded.next_due_at, backoff_s = excluded.backoff_s, duration_ms = excluded.duration_ms,
      result_count = excluded.result_count`);
  const history = JSON.stringify(
    rows.map((r) => ({
      host_id: r.hostId,
      check_id: r.checkId,
      kind: r.kind,
      status: r.lastStatus satisfies CheckStatus,
      summary: r.summary,
      metrics: r.metrics,
      observed_at: r.observedAt.toISOString(),
      duration_ms: r.durationMs,
    })),
  );
  await db.execute(sql`
    INSERT INTO check_results (host_id, check_id, kind, status, summary, metrics, observed_at, duration_ms)
    SELECT x.host_id, x.check_id, x.kind, x.status, x.summary, x.metrics, x.observed_at, x.duration_ms
    FROM jsonb_to_recordset(${history}::text::jsonb) AS x(host_id uuid, check_id uuid, kind text, status text, summary text,
         metrics jsonb, observed_at timestamptz, duration_ms float8)
    WHERE EXISTS (SELECT 1 FROM hosts WHERE id = x.host_id) AND EXISTS (SELECT 1 FROM check_definitions WHERE id = x.check_id)`);
}
