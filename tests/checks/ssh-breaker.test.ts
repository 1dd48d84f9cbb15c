/**
 * The circuit breaker end to end with a real sshd and the real scheduler loop: sshd stopped → the
 * ssh check goes CRIT "connection refused" and is probed with a growing backoff (longer than the
 * interval, said in the summary); sshd back → OK at once on the normal interval, backoff 0.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPeers, isRoot } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type SshdPeer, startSshd } from '../peers/sshd.js';
import { createCheck, stateOf, waitForState } from './support.js';

describe.runIf(isRoot() && hasPeers('sshd', 'ssh-keygen'))('ssh circuit breaker', () => {
  let s: TestServer;
  let sshd: SshdPeer;
  beforeAll(async () => {
    sshd = await startSshd();
    s = await startTestServer({ config: { scheduler: true, schedulerTickMs: 200, checkMaxBackoffS: 4 } });
    await seed(s.server.app.db).host('sshbox', { address: '127.0.0.1' }).done();
    const r = await s.gql(
      `mutation($st: JSON!){ setHostSettings(host: "sshbox", plugin: "ssh", settings: $st){ __typename ... on Error { message } } }`,
      { st: { user: 'root', port: sshd.port, privateKey: sshd.clientKey, connectTimeoutS: 2 } },
      s.adminToken,
    );
    expect(r.data?.setHostSettings?.__typename, JSON.stringify(r)).toBe('PluginSettings');
    await createCheck(s, { name: 'ssh-login', kind: 'ssh', hosts: ['sshbox'], intervalS: 1, timeoutS: 5, failThreshold: 2, okThreshold: 1 });
  });
  afterAll(async () => {
    await s?.stop();
    await sshd?.stop();
  });

  const state = async () => (await stateOf(s, 'sshbox', 'ssh-login'))!;
  const waitMs = (st: { nextDueAt: string; observedAt: string }) => Date.parse(st.nextDueAt) - Date.parse(st.observedAt);
  /** The next run is due `ms` after this one started: a little less than `ms` after its result. */
  const expectWait = (st: { nextDueAt: string; observedAt: string }, ms: number) => {
    expect(waitMs(st)).toBeLessThanOrEqual(ms);
    expect(waitMs(st)).toBeGreaterThan(ms - 600);
  };

  it('is OK while sshd runs, probing every interval', async () => {
    await waitForState(s, 'sshbox', 'ssh-login', (st) => st.status === 'OK', 20_000);
    const st = await state();
    expect(st).toMatchObject({ status: 'OK', backoffS: 0 });
    expect(st.summary).toMatch(/connected in \d+ ms/);
    expectWait(st, 1000);
  });

  it('sshd stopped: CRIT "connection refused", probed with a growing backoff', async () => {
    await sshd.stopDaemon();
    await waitForState(s, 'sshbox', 'ssh-login', (st) => st.status === 'CRIT', 20_000);
    let st = await state();
    expect(st.summary).toContain('connection refused');
    expect(st.backoffS).toBeGreaterThan(0);
    expect(waitMs(st)).toBeGreaterThan(1000); // backoff (≥ 2 s from the start), not the 1 s interval
    expect(st.summary).toMatch(/probing every \d+s until it recovers/);
    await waitForState(s, 'sshbox', 'ssh-login', (st) => st.backoffS === 4);
    st = await state();
    expect(st.summary).toContain('probing every 4s');
    expectWait(st, 4000);
    // Host.health follows
    const h = await s.gql(`{ host(name:"sshbox"){ health } }`, {}, s.adminToken);
    expect(h.data.host.health).toBe('CRIT');
    // the result that set backoff 4 came after a wait of 2 s (the previous backoff), not the 1 s interval
    const hist = (await s.gql(`{ host(name:"sshbox"){ checkHistory(kind:"ssh", first: 2){ status observedAt } } }`, {}, s.adminToken)).data.host.checkHistory;
    expect(hist.map((r: any) => r.status)).toEqual(['CRIT', 'CRIT']);
    expect(Date.parse(hist[0].observedAt) - Date.parse(hist[1].observedAt)).toBeGreaterThanOrEqual(1900);
  });

  it('sshd back: OK again with backoff 0 and the normal interval', async () => {
    await sshd.startDaemon();
    await waitForState(s, 'sshbox', 'ssh-login', (st) => st.status === 'OK');
    const st = await state();
    expect(st).toMatchObject({ status: 'OK', backoffS: 0, consecutiveFailures: 0 });
    expect(st.summary).not.toContain('probing');
    expectWait(st, 1000);
    const h = await s.gql(`{ host(name:"sshbox"){ health } }`, {}, s.adminToken);
    expect(h.data.host.health).toBe('OK');
  });
});
