/**
 * The real scheduler loop (config.scheduler on, 200 ms ticks) pinging several loopback hosts:
 * states, health, history and the status matrix show the results; a disabled host runs nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPeers, waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createCheck, hostView, sleep } from './support.js';

const HOSTS = ['lo1', 'lo2', 'lo3', 'lo4'];

describe.runIf(hasPeers('fping'))('scheduler loop', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { scheduler: true, schedulerTickMs: 200, checkMaxBackoffS: 4 } });
    const sd = seed(s.server.app.db);
    for (const [i, h] of HOSTS.entries()) sd.host(h, { address: `127.0.0.${i + 1}`, groups: ['lo'] });
    await sd.host('other1', { address: '127.0.1.1', groups: ['elsewhere'] }).done();
    await createCheck(s, { name: 'ping-lo', kind: 'ping', hosts: ['@lo'], intervalS: 1, params: { count: 1, intervalMs: 0 } });
  });
  afterAll(async () => s?.stop());

  const history = async (host: string) =>
    (await s.gql(`query($h:String!){ host(name:$h){ checkHistory(kind:"ping", first: 1000){ status summary metrics observedAt durationMs } } }`, { h: host }, s.adminToken)).data.host
      .checkHistory as { status: string; observedAt: string; metrics: Record<string, number> }[];

  it('pings every targeted host on its own and writes OK states with metrics', async () => {
    await waitFor(async () => {
      const views = await Promise.all(HOSTS.map((h) => hostView(s, h)));
      return views.every((v) => v.checks[0]?.status === 'OK');
    }, 15_000, 'all loopback hosts OK');
    for (const h of HOSTS) {
      const v = await hostView(s, h);
      expect(v.health).toBe('OK');
      expect(v.checks).toHaveLength(1);
      expect(v.checks[0]).toMatchObject({ kind: 'ping', checkName: 'ping-lo', status: 'OK', lastStatus: 'OK', consecutiveFailures: 0, backoffS: 0 });
      expect(Object.keys(v.checks[0]!.metrics ?? {}).length).toBeGreaterThan(0);
    }
    // not targeted: no state, health UNKNOWN (no checks)
    expect(await hostView(s, 'other1')).toMatchObject({ checks: [], health: 'UNKNOWN' });
  });

  it('keeps sweeping at the interval: history grows, newest first', async () => {
    await waitFor(async () => (await history('lo2')).length >= 3, 10_000, 'three ping results for lo2');
    const h = await history('lo2');
    const times = h.map((r) => Date.parse(r.observedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // about one result per second (interval 1 s), not one per 200 ms tick
    const gapS = (times[0]! - times[2]!) / 2000;
    expect(gapS).toBeGreaterThan(0.8);
    expect(gapS).toBeLessThan(3);
    expect(h.every((r) => r.status === 'OK' && Object.keys(r.metrics ?? {}).length > 0)).toBe(true);
    const first1 = await s.gql(`{ host(name:"lo2"){ checkHistory(kind:"ping", first: 1){ status } none: checkHistory(kind:"ssh"){ status } } }`, {}, s.adminToken);
    expect(first1.data.host.checkHistory).toHaveLength(1);
    expect(first1.data.host.none).toEqual([]);
  });

  it('shows the whole hosts × checks matrix in one call, cells aligned with kinds', async () => {
    const r = await s.gql(
      `{ status { kinds rows { host { name } health cells { kind status checkName host { name } } } }
         sel: status(groups: ["lo"], checks: ["ssh", "ping"]) { kinds rows { host { name } health cells { kind status } } } }`,
      {},
      s.adminToken,
    );
    expect(r.errors).toBeUndefined();
    const all = r.data.status;
    expect(all.kinds).toEqual(['ping']);
    expect(all.rows.map((x: any) => x.host.name)).toEqual(['lo1', 'lo2', 'lo3', 'lo4', 'other1']);
    expect(all.rows[0]).toEqual({ host: { name: 'lo1' }, health: 'OK', cells: [{ kind: 'ping', status: 'OK', checkName: 'ping-lo', host: { name: 'lo1' } }] });
    expect(all.rows[4]).toEqual({ host: { name: 'other1' }, health: 'UNKNOWN', cells: [null] });
    const sel = r.data.sel;
    expect(sel.kinds).toEqual(['ssh', 'ping']);
    expect(sel.rows).toHaveLength(4);
    for (const row of sel.rows) expect(row.cells).toEqual([null, { kind: 'ping', status: 'OK' }]);
  });

  it('a disabled host runs nothing while disabled and resumes when enabled', async () => {
    const set = (enabled: boolean) =>
      s.gql(`mutation($e:Boolean!){ setHostsEnabled(hosts:["lo4"], enabled:$e, reason:"maintenance test"){ okCount } }`, { e: enabled }, s.adminToken);
    expect((await set(false)).data.setHostsEnabled.okCount).toBe(1);
    await sleep(600); // a batch claimed just before the switch may still land
    const before = (await history('lo4')).length;
    const otherBefore = (await history('lo1')).length;
    await sleep(2500);
    expect((await history('lo4')).length).toBe(before);
    expect((await history('lo1')).length).toBeGreaterThan(otherBefore + 1);
    const v = await hostView(s, 'lo4');
    expect(v).toMatchObject({ enabled: false, health: 'DISABLED' });
    // its last state is kept
    expect(v.checks[0]).toMatchObject({ status: 'OK' });

    await set(true);
    await waitFor(async () => (await history('lo4')).length > before, 10_000, 'lo4 checked again');
    expect((await hostView(s, 'lo4')).health).toBe('OK');
  });
});
