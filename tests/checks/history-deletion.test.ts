/**
 * Check history has no foreign keys (they cost a third of a sweep's write), so deleting a host or a
 * check must delete its history itself: nothing of it is left behind, and other hosts' history stays.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneHistory } from '../../src/core/checks/history.js';
import { rowsOf } from '../../src/db/rows.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createCheck, scheduler } from './support.js';

describe('deleting hosts and checks deletes their history', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await seed(s.server.app.db).host('keep1', { groups: ['hist'] }).host('gone1', { groups: ['hist'] }).done();
    for (const name of ['hist-a', 'hist-b']) await createCheck(s, { name, kind: 'exec', hosts: ['@hist'], params: { program: '/usr/lib/nagios/plugins/check_dummy', args: ['0'] } });
    await scheduler(s).sync();
    // Three results per host × check, as three sweeps would leave them.
    await s.server.app.db.execute(sql`
      INSERT INTO check_results (host_id, check_id, kind, status, summary, observed_at)
      SELECT cs.host_id, cs.check_id, cs.kind, 'OK', 'ok', now() - make_interval(mins => g) FROM check_state cs, generate_series(1, 3) g`);
  });
  afterAll(async () => s?.stop());

  const historyOf = async () =>
    rowsOf<{ host: string | null; check: string | null; n: number }>(
      await s.server.app.db.execute(sql`
        SELECT h.name AS host, cd.name AS check, count(*)::int AS n FROM check_results r
        LEFT JOIN hosts h ON h.id = r.host_id LEFT JOIN check_definitions cd ON cd.id = r.check_id
        GROUP BY h.name, cd.name ORDER BY h.name, cd.name`),
    );

  it('deleteHosts removes the host with all its history', async () => {
    expect(await historyOf()).toHaveLength(4);
    const r = await s.gql(`mutation { deleteHosts(hosts: ["gone1"], reason: "decommissioned") { okCount } }`, {}, s.adminToken);
    expect(r.data.deleteHosts.okCount).toBe(1);
    expect(await historyOf()).toEqual([
      { host: 'keep1', check: 'hist-a', n: 3 },
      { host: 'keep1', check: 'hist-b', n: 3 },
    ]);
  });

  it('deleteCheck removes the check with all its history', async () => {
    const r = await s.gql(`mutation { deleteCheck(name: "hist-a") }`, {}, s.adminToken);
    expect(r.data.deleteCheck).toBe(true);
    expect(await historyOf()).toEqual([{ host: 'keep1', check: 'hist-b', n: 3 }]);
  });

  it('retention drops results older than the setting and keeps the rest, through the time index', async () => {
    await s.server.app.db.execute(sql`
      INSERT INTO check_results (host_id, check_id, kind, status, summary, observed_at)
      SELECT cs.host_id, cs.check_id, cs.kind, 'OK', 'old', now() - make_interval(days => g) FROM check_state cs, generate_series(31, 33) g`);
    expect(await historyOf()).toEqual([{ host: 'keep1', check: 'hist-b', n: 6 }]);
    await pruneHistory(s.server.app.db, 30);
    expect(await historyOf()).toEqual([{ host: 'keep1', check: 'hist-b', n: 3 }]);
    // the index the retention delete relies on is a block-range one (cheap to keep up per insert)
    const idx = rowsOf<{ indexdef: string }>(await s.server.app.db.execute(sql`SELECT indexdef FROM pg_indexes WHERE tablename = 'check_results' AND indexdef LIKE '%(observed_at)'`));
    expect(idx.map((i) => i.indexdef)).toEqual([expect.stringContaining('USING brin')]);
  });
});
