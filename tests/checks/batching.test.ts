/**
 * Results are written in batches: a change-free sweep of 10 hosts and one of 200 hosts (one ping
 * check each) cost the same, small number of SQL statements: claim (with hosts and settings),
 * upsert states, insert history.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPeers } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createCheck, makeDue, scheduler, sweep } from './support.js';

describe.runIf(hasPeers('fping'))('batched result writes', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    const sd = seed(s.server.app.db);
    for (let i = 1; i <= 10; i++) sd.host(`small${i}`, { address: `127.0.1.${i}`, groups: ['g10'] });
    for (let i = 0; i < 200; i++) sd.host(`big${i}`, { address: `127.1.${Math.floor(i / 100)}.${(i % 100) + 1}`, groups: ['g200'] });
    await sd.done();
    const params = { count: 1, intervalMs: 0, timeoutMs: 1000 };
    await createCheck(s, { name: 'ping10', kind: 'ping', hosts: ['@g10'], intervalS: 3600, params });
    await createCheck(s, { name: 'ping200', kind: 'ping', hosts: ['@g200'], intervalS: 3600, params });
    await scheduler(s).sync();
  });
  afterAll(async () => s?.stop());

  /** Statements used by one change-free sweep of one check (after a first sweep and a settling one). */
  async function statementsPerSweep(check: string): Promise<number> {
    for (let i = 0; i < 2; i++) {
      await makeDue(s, check);
      await sweep(s);
    }
    const counts: number[] = [];
    for (let i = 0; i < 2; i++) {
      await scheduler(s).sync(); // not dirty and just synced: the tick does no sync of its own
      await makeDue(s, check);
      const stats = s.server.app.database.stats;
      const before = stats.statements;
      await sweep(s);
      counts.push(stats.statements - before);
    }
    return Math.min(...counts);
  }

  it('costs the same few statements for 10 and for 200 hosts', async () => {
    const small = await statementsPerSweep('ping10');
    const big = await statementsPerSweep('ping200');
    console.log(`statements per change-free sweep: 10 hosts ${small}, 200 hosts ${big}`);
    expect(big).toBe(small);
    expect(small).toBeLessThanOrEqual(3);
    // and the big sweep did check every host
    const r = await s.gql(`{ status(groups: ["g200"], checks: ["ping"]) { rows { cells { status } } } }`, {}, s.adminToken);
    expect(r.data.status.rows).toHaveLength(200);
    expect(r.data.status.rows.every((row: any) => row.cells[0]?.status === 'OK')).toBe(true);
    const h = await s.gql(`{ host(name: "big199") { checkHistory(kind: "ping", first: 10) { status } } }`, {}, s.adminToken);
    // the pending first sweep (claimed with ping10's) + 2 settling + 2 measured sweeps
    expect(h.data.host.checkHistory).toHaveLength(5);
  });
});
