/**
 * When a check is due. check_definitions.next_due_at is kept no later than the earliest due pair
 * (triggers on check_state and hosts), so a claim reads a check's states only when something is
 * due, and check_state carries no index on a column a sweep writes (its updates stay HOT).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StateWrite, writeResults } from '../../src/core/checks/write-results.js';
import { rowsOf } from '../../src/db/rows.js';
import { hasPeers } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createCheck, makeDue, scheduler, stateOf, sweep } from './support.js';

describe.runIf(hasPeers('fping'))('check due times', () => {
  let s: TestServer;
  const q = async <T = Record<string, unknown>>(text: ReturnType<typeof sql>) => rowsOf<T>(await s.server.app.db.execute(text));
  /** Results written so far per host name (history rows). */
  const resultsOf = async (host: string) =>
    Number((await q<{ n: number }>(sql`SELECT count(*)::int AS n FROM check_results r JOIN hosts h ON h.id = r.host_id WHERE h.name = ${host}`))[0]!.n);
  const checkDue = async () => (await q<{ due: string; earliest: string | null }>(sql`
    SELECT cd.next_due_at::text AS due, (SELECT min(cs.next_due_at)::text FROM check_state cs WHERE cs.check_id = cd.id) AS earliest
    FROM check_definitions cd WHERE cd.name = 'ping-due'`))[0]!;

  beforeAll(async () => {
    s = await startTestServer();
    await seed(s.server.app.db)
      .host('due1', { address: '127.0.4.1', groups: ['due'] })
      .host('due2', { address: '127.0.4.2', groups: ['due'] })
      .done();
    await createCheck(s, { name: 'ping-due', kind: 'ping', hosts: ['@due'], intervalS: 3600, params: { count: 1, intervalMs: 0, timeoutMs: 500 } });
    await scheduler(s).sync();
    await sweep(s);
  });
  afterAll(async () => s?.stop());

  it('after a sweep the check is next due with its earliest pair, and a tick before then runs nothing', async () => {
    expect((await stateOf(s, 'due1', 'ping-due'))?.status).toBe('OK');
    const { due, earliest } = await checkDue();
    expect(Date.parse(due)).toBeGreaterThan(Date.now() + 3500_000);
    expect(due).toBe(earliest);
    const before = await resultsOf('due1');
    await sweep(s);
    expect(await resultsOf('due1')).toBe(before);
  });

  it('a host added to the target is checked on the next tick, alone', async () => {
    await seed(s.server.app.db).host('due3', { address: '127.0.4.3', groups: ['due'] }).done();
    await scheduler(s).sync();
    expect(Date.parse((await checkDue()).due)).toBeLessThanOrEqual(Date.now());
    const others = [await resultsOf('due1'), await resultsOf('due2')];
    await sweep(s);
    expect((await stateOf(s, 'due3', 'ping-due'))?.status).toBe('OK');
    expect([await resultsOf('due1'), await resultsOf('due2')]).toEqual(others);
  });

  it('a host that fell due during maintenance is checked as soon as it is enabled again', async () => {
    const set = (enabled: boolean) =>
      s.gql(`mutation($e:Boolean!){ setHostsEnabled(hosts:["due2"], enabled:$e, reason:"due-time test"){ okCount } }`, { e: enabled }, s.adminToken);
    expect((await set(false)).data.setHostsEnabled.okCount).toBe(1);
    await s.server.app.db.execute(sql`UPDATE check_state SET next_due_at = now() - interval '1 minute' WHERE host_id = (SELECT id FROM hosts WHERE name = 'due2')`);
    const before = await resultsOf('due2');
    // Disabled: nothing runs, and the check is due again only with its other pairs.
    await sweep(s);
    expect(await resultsOf('due2')).toBe(before);
    expect(Date.parse((await checkDue()).due)).toBeGreaterThan(Date.now() + 3500_000);
    expect((await set(true)).data.setHostsEnabled.okCount).toBe(1);
    await sweep(s);
    expect(await resultsOf('due2')).toBe(before + 1);
  });

  it('new params or a new interval run the check on the next tick; a new threshold does not', async () => {
    const update = async (input: Record<string, unknown>) => {
      const r = await s.gql(`mutation($i: UpdateCheckInput!){ updateCheck(input: $i){ __typename } }`, { i: { name: 'ping-due', ...input } }, s.adminToken);
      expect(r.data?.updateCheck?.__typename, JSON.stringify(r)).toBe('CheckPayload');
    };
    await sweep(s); // whatever is due now
    let before = await resultsOf('due1');
    await update({ failThreshold: 4 });
    await sweep(s);
    expect(await resultsOf('due1')).toBe(before);
    await update({ params: { count: 2, intervalMs: 0, timeoutMs: 500 } });
    await sweep(s);
    expect(await resultsOf('due1')).toBe(before + 1);
    before += 1;
    await update({ intervalS: 1800 });
    await sweep(s);
    expect(await resultsOf('due1')).toBe(before + 1);
    expect(Date.parse((await checkDue()).due)).toBeLessThan(Date.now() + 1800_000);
  });

  it('pairs leased by a server that died mid-sweep are claimed once its lease expires', async () => {
    await makeDue(s, 'ping-due');
    // A dead server's lease, expired, and the check's next due time already raised by its claim.
    await s.server.app.db.execute(sql`UPDATE check_definitions SET lease_owner = 'dead-server', lease_until = now() - interval '1 second', next_due_at = 'infinity' WHERE name = 'ping-due'`);
    const before = await resultsOf('due1');
    await sweep(s);
    expect(await resultsOf('due1')).toBe(before + 1);
    const [row] = await q<{ lease_owner: string | null }>(sql`SELECT lease_owner FROM check_definitions WHERE name = 'ping-due'`);
    expect(row!.lease_owner).toBeNull();
  });

  it('a result for a state deleted while its batch ran keeps nothing: no state comes back, no history', async () => {
    const [pair] = await q<{ host_id: string; check_id: string }>(sql`
      SELECT cs.host_id, cs.check_id FROM check_state cs JOIN hosts h ON h.id = cs.host_id WHERE h.name = 'due3'`);
    await s.server.app.db.execute(sql`DELETE FROM check_state WHERE host_id = ${pair!.host_id}`);
    const before = await resultsOf('due3');
    const at = new Date();
    const w: StateWrite = {
      hostId: pair!.host_id, checkId: pair!.check_id, kind: 'ping', status: 'OK', lastStatus: 'OK', summary: 'late', metrics: null,
      observedAt: at, since: at, consecutiveFailures: 0, consecutiveOk: 1, nextDueAt: at, backoffS: 0, durationMs: 1, resultCount: 1, changed: false,
    };
    await writeResults(s.server.app.db, [w]);
    expect(await q(sql`SELECT 1 FROM check_state WHERE host_id = ${pair!.host_id}`)).toHaveLength(0);
    expect(await resultsOf('due3')).toBe(before);
  });

  it('check_state has no index on a column a sweep writes, and room in its pages for HOT updates', async () => {
    const indexed = await q<{ column: string }>(sql`
      SELECT DISTINCT a.attname AS column FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = 'check_state'::regclass ORDER BY 1`);
    expect(indexed.map((r) => r.column)).toEqual(['check_id', 'host_id']);
    const [rel] = await q<{ options: string[] | string }>(sql`SELECT reloptions AS options FROM pg_class WHERE oid = 'check_state'::regclass`);
    expect(String(rel!.options)).toContain('fillfactor=50');
  });
});
