/**
 * A big fleet for the scale test and the bench: N hosts with one check kind's state each, written
 * through the scheduler's own writer (writeResults) and announced on the same pubsub topic the
 * scheduler uses, so the dashboard sees exactly what a real sweep would send.
 */
import { sql } from 'drizzle-orm';
import { checkStateEvent } from '../../../src/core/checks/state-event.js';
import { type StateWrite, writeResults } from '../../../src/core/checks/write-results.js';
import type { CheckStatus } from '../../../src/core/plugin.js';
import { rowsOf } from '../../../src/db/rows.js';
import { seed } from '../../../tests/helpers/seed.js';
import type { TestServer } from '../../../tests/helpers/server.js';

const STATUSES: CheckStatus[] = ['OK', 'OK', 'OK', 'OK', 'OK', 'OK', 'WARN', 'CRIT', 'UNKNOWN'];

export interface Fleet {
  names: string[];
  hostIds: string[];
  checkId: string;
  kind: string;
  /** Changes `count` random hosts' state (one write, one event each), as a sweep would. */
  update(count: number): Promise<void>;
}

const stateOf = (hostId: string, checkId: string, kind: string, status: CheckStatus, now: Date): StateWrite => ({
  hostId,
  checkId,
  kind,
  status,
  lastStatus: status,
  summary: `${status}: simulated result`,
  metrics: { value: Math.round(Math.random() * 100) },
  observedAt: now,
  since: now,
  nextDueAt: new Date(now.getTime() + 60_000),
  durationMs: 3,
  consecutiveFailures: status === 'OK' ? 0 : 1,
  consecutiveOk: status === 'OK' ? 1 : 0,
  backoffS: 0,
  resultCount: 1,
  changed: true,
});

export async function seedFleet(srv: TestServer, count: number): Promise<Fleet> {
  const db = srv.server.app.db;
  const names = Array.from({ length: count }, (_, i) => `n${String(i + 1).padStart(5, '0')}`);
  // The check first: a keep-alive connection idle through the long seed may be reset under us.
  const r = await srv.gql<{ createCheck?: { __typename: string } }>(
    `mutation($i: CreateCheckInput!){ createCheck(input: $i){ __typename ... on CheckPayload { check { id } } ... on Error { message } } }`,
    { i: { name: 'sim', kind: 'exec', enabled: false, params: { program: 'check_dummy', args: ['0'] } } },
    srv.adminToken,
  );
  if (r.data?.createCheck?.__typename !== 'CheckPayload') throw new Error(`createCheck failed: ${JSON.stringify(r)}`);
  for (let g = 0; g < 10; g++) await seed(db).hosts(names.slice((g * count) / 10, ((g + 1) * count) / 10), { groups: [`rack${g}`] }).done();
  const byName = new Map(rowsOf<{ id: string; name: string }>(await db.execute(sql`SELECT id, name FROM hosts`)).map((h) => [h.name, h.id]));
  const hostIds = names.map((n) => byName.get(n)!);
  const defId = rowsOf<{ id: string }>(await db.execute(sql`SELECT id FROM check_definitions WHERE name = 'sim'`))[0]!.id;
  const now = new Date();
  const kind = 'exec';
  // The check is disabled (no sweep runs it), so its state rows are made here, then written as a sweep would.
  await db.execute(sql`
    INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, observed_at, since, next_due_at)
    SELECT h.id, ${defId}, ${kind}, 'UNKNOWN', 'UNKNOWN', 'pending', now(), now(), now() FROM hosts h`);
  for (let i = 0; i < hostIds.length; i += 2000) {
    await writeResults(
      db,
      hostIds.slice(i, i + 2000).map((id, j) => stateOf(id, defId, kind, STATUSES[(i + j) % STATUSES.length]!, now)),
    );
  }
  const pubsub = srv.server.app.pubsub;
  return {
    names,
    hostIds,
    checkId: defId,
    kind,
    async update(n) {
      const when = new Date();
      const picks = Array.from({ length: n }, () => hostIds[Math.floor(Math.random() * hostIds.length)]!);
      const writes = [...new Set(picks)].map((id) => stateOf(id, defId, kind, STATUSES[Math.floor(Math.random() * STATUSES.length)]!, when));
      await writeResults(db, writes);
      // The scheduler's event: the written state travels with it (the host row is read by subscribers).
      for (const w of writes) await pubsub.publish('checkStateChanged', checkStateEvent(w, []));
    },
  };
}
