/**
 * Deterministic sweeps (tick + idle) of an exec check whose result per host a test flips by writing
 * a file: hysteresis (3 failures to turn CRIT, 2 successes to recover), flapping without events,
 * checkStateChanged only on changes and filtered by groups and kinds, hostUpdated on health
 * changes, the suspect-monitor rule, and a hung check timing out without holding up the others.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir, waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type Collector, collect, createCheck, makeDue, scheduler, script, sleep, stateOf, sweep, switchablePlugin, wsClient } from './support.js';

const HOSTS = ['h1', 'h2', 'h3', 'h4', 'h5'];
const dir = tempDir('corral-chk-plugins-');
const plugin = switchablePlugin(dir.path);
let s: TestServer;
let ws: Client;
type Changed = { checkStateChanged: { kind: string; status: string; checkName: string; host: { name: string; health: string } } };
let all: Collector<Changed>;
let swExec: Collector<Changed>;
let otherGroup: Collector<Changed>;
let pingOnly: Collector<Changed>;
let hostEvents: Collector<{ hostUpdated: { name: string; health: string } }>;

const SUB = `subscription($g:[String!],$k:[String!]){ checkStateChanged(groups:$g, kinds:$k){ kind status checkName host { name health } } }`;

beforeAll(async () => {
  s = await startTestServer({ config: { nagiosPluginDirs: dir.path, checkMaxBackoffS: 4 } });
  const sd = seed(s.server.app.db);
  for (const h of HOSTS) sd.host(h, { groups: ['sw'] });
  for (const m of ['m1', 'm2', 'm3', 'm4', 'm5']) sd.host(m, { groups: ['mask'] });
  await sd.host('x1', { groups: ['other'] }).done();
  await createCheck(s, { name: 'switch', kind: 'exec', hosts: ['@sw'], intervalS: 3600, failThreshold: 3, okThreshold: 2, params: { program: plugin.program, args: ['{host}'] } });
  ws = wsClient(s);
  all = collect(ws, SUB);
  swExec = collect(ws, SUB, { g: ['sw'], k: ['exec'] });
  otherGroup = collect(ws, SUB, { g: ['other'] });
  pingOnly = collect(ws, SUB, { k: ['ping'] });
  hostEvents = collect(ws, `subscription { hostUpdated(groups: ["sw"]) { name health } }`);
  await sleep(800); // subscriptions start asynchronously
});
afterAll(async () => {
  await ws?.dispose();
  await s?.stop();
  dir.remove();
});

const round = async () => {
  await makeDue(s, 'switch');
  await sweep(s);
};
const changes = () => all.events.map((e) => `${e.checkStateChanged.host.name}:${e.checkStateChanged.status}`);

describe('hysteresis and state-change events', () => {
  it('the first sweep takes every result as it is and announces it once per host', async () => {
    await round();
    await waitFor(() => all.events.length >= 5, 5000, 'five first-result events');
    // Every host's health was pending: one hostUpdated each. Waited for here, so that none arrives
    // late into the next test's count.
    await waitFor(() => hostEvents.events.length >= 5, 5000, 'five first-health events');
    expect(changes().sort()).toEqual(HOSTS.map((h) => `${h}:OK`));
    expect(all.errors).toEqual([]);
    const st = await stateOf(s, 'h1', 'switch');
    expect(st).toMatchObject({ status: 'OK', summary: 'switch h1 exit 0', metrics: { v: 0 } });
  });

  it('identical results produce no events', async () => {
    const n = all.events.length;
    const hostN = hostEvents.events.length;
    await round();
    await round();
    await sleep(300);
    expect(all.events.length).toBe(n);
    expect(hostEvents.events.length).toBe(hostN);
  });

  it('turns CRIT only after 3 consecutive failures and OK after 2 successes, with one event each', async () => {
    all.events.length = 0;
    swExec.events.length = 0;
    hostEvents.events.length = 0;
    plugin.set('h1', 2);
    for (const n of [1, 2]) {
      await round();
      expect(await stateOf(s, 'h1', 'switch'), `failure ${n}`).toMatchObject({ status: 'OK', lastStatus: 'CRIT', consecutiveFailures: n });
    }
    await sleep(200);
    expect(all.events).toEqual([]);
    await round();
    expect(await stateOf(s, 'h1', 'switch')).toMatchObject({ status: 'CRIT', consecutiveFailures: 3 });
    await waitFor(() => all.events.length === 1 && hostEvents.events.length === 1, 5000, 'CRIT event');
    expect(changes()).toEqual(['h1:CRIT']);
    // the event's host is read fresh (not from a loader cached by an earlier event)
    expect(all.events[0]!.checkStateChanged.host).toEqual({ name: 'h1', health: 'CRIT' });
    // hostUpdated fires on the health change (its health field is not asserted: see the report,
    // the subscription context caches Host.health across events)
    expect(hostEvents.events[0]!.hostUpdated.name).toBe('h1');

    plugin.set('h1', 0);
    await round();
    expect(await stateOf(s, 'h1', 'switch')).toMatchObject({ status: 'CRIT', lastStatus: 'OK' });
    await round();
    expect(await stateOf(s, 'h1', 'switch')).toMatchObject({ status: 'OK', lastStatus: 'OK', backoffS: 0 });
    await waitFor(() => all.events.length === 2, 5000, 'OK event');
    expect(changes()).toEqual(['h1:CRIT', 'h1:OK']);
    await waitFor(() => hostEvents.events.length === 2, 5000, 'health back to OK');
    expect(hostEvents.events[1]!.hostUpdated.name).toBe('h1');
    expect(all.events[1]!.checkStateChanged.host).toEqual({ name: 'h1', health: 'OK' });
    // the filtered subscription (groups sw, kind exec) saw the same; the others saw nothing
    expect(swExec.events.map((e) => e.checkStateChanged.status)).toEqual(['CRIT', 'OK']);
  });

  it('a flapping host (alternating results) produces no state change', async () => {
    all.events.length = 0;
    for (let i = 0; i < 6; i++) {
      plugin.set('h2', i % 2 ? 0 : 2);
      await round();
    }
    plugin.set('h2', 0);
    await sleep(200);
    expect(all.events).toEqual([]);
    expect(await stateOf(s, 'h2', 'switch')).toMatchObject({ status: 'OK' });
    const h = await s.gql(`{ host(name:"h2"){ checkHistory(kind:"exec", first: 6){ status } } }`, {}, s.adminToken);
    expect(h.data.host.checkHistory.map((r: any) => r.status)).toEqual(['OK', 'CRIT', 'OK', 'CRIT', 'OK', 'CRIT']);
  });

  it('subscriptions filtered to another group or kind receive nothing', () => {
    expect(otherGroup.events).toEqual([]);
    expect(pingOnly.events).toEqual([]);
    expect([otherGroup.errors, pingOnly.errors, swExec.errors]).toEqual([[], [], []]);
  });

  it('a sweep where most hosts fail is suspect: no state turns bad, an audit event asks for review', async () => {
    all.events.length = 0;
    for (const h of ['h1', 'h2', 'h3', 'h4']) plugin.set(h, 2);
    for (let i = 0; i < 4; i++) await round();
    for (const h of HOSTS) expect(await stateOf(s, h, 'switch'), h).toMatchObject({ status: 'OK' });
    expect(await stateOf(s, 'h1', 'switch')).toMatchObject({ lastStatus: 'CRIT', consecutiveFailures: 4 });
    await sleep(200);
    expect(all.events).toEqual([]);
    const a = await s.gql(`{ auditEvents(filter: { action: "monitor.suspect" }, first: 10) { edges { node { action outcome details } } } }`, {}, s.adminToken);
    const events = a.data.auditEvents.edges.map((e: any) => e.node);
    expect(events).toHaveLength(4);
    expect(events[0]).toMatchObject({ action: 'monitor.suspect', outcome: 'REVIEW', details: { check: 'switch', kind: 'exec', failing: 4, total: 5 } });
    // What the dashboard shows on every page (a viewer may read it).
    const alerts = await s.gql(`{ monitorAlerts { check kind failing total message } }`, {}, await s.userToken('alertviewer', 'VIEWER'));
    expect(alerts.data.monitorAlerts).toHaveLength(4);
    expect(alerts.data.monitorAlerts[0]).toEqual({
      check: 'switch',
      kind: 'exec',
      failing: 4,
      total: 5,
      message: '4 of 5 hosts failed check switch at once: the monitor itself is suspect; no host was marked bad',
    });
    for (const h of HOSTS) plugin.set(h, 0);
    await round();
    expect(all.events).toEqual([]);
  });

  it('hosts already known bad do not make a new failure look like a monitor fault', async () => {
    // m1-m3 are dead from the start (CRIT on their first result); later m4 dies too: 4 of 5 fail,
    // but only 1 of the 2 hosts that were OK did, so the sweep is not suspect and m4 turns CRIT.
    for (const m of ['m1', 'm2', 'm3']) plugin.set(m, 2);
    await createCheck(s, { name: 'mask', kind: 'exec', hosts: ['@mask'], intervalS: 3600, failThreshold: 2, okThreshold: 1, params: { program: plugin.program, args: ['{host}'] } });
    await scheduler(s).sync();
    const maskRound = async () => {
      await makeDue(s, 'mask');
      await sweep(s);
    };
    await maskRound();
    expect((await stateOf(s, 'm1', 'mask'))?.status).toBe('CRIT');
    expect((await stateOf(s, 'm4', 'mask'))?.status).toBe('OK');
    plugin.set('m4', 2);
    await maskRound();
    await maskRound();
    expect(await stateOf(s, 'm4', 'mask')).toMatchObject({ status: 'CRIT', consecutiveFailures: 2 });
    expect((await stateOf(s, 'm5', 'mask'))?.status).toBe('OK');
  });

  it('a check that hangs past its timeout is CRIT on time, and the rest of the sweep completes', async () => {
    const sleepy = script(dir.path, 'check_sleepy', 'if [ "$1" = h5 ]; then sleep 30; fi\necho "awake $1"');
    await createCheck(s, { name: 'sleepy', kind: 'exec', hosts: ['@sw'], intervalS: 3600, timeoutS: 1, params: { program: sleepy, args: ['{host}'] } });
    await scheduler(s).sync(); // creates its pending states so makeDue can reach them
    await makeDue(s, 'sleepy');
    const started = Date.now();
    await sweep(s);
    const took = Date.now() - started;
    expect(took).toBeLessThan(8000);
    const slow = await stateOf(s, 'h5', 'sleepy');
    expect(slow?.status).toMatch(/CRIT|UNKNOWN/);
    expect(slow?.summary).toContain('timed out after 1s');
    for (const h of ['h1', 'h2', 'h3', 'h4']) expect(await stateOf(s, h, 'sleepy'), h).toMatchObject({ status: 'OK', summary: `awake ${h}` });
  });

  it('a check that takes a while still runs once per interval: the next run is due an interval after this one started', async () => {
    const slow = script(dir.path, 'check_slow', 'sleep 1.2\necho "done $1"');
    await createCheck(s, { name: 'slow', kind: 'exec', hosts: ['@sw'], intervalS: 60, timeoutS: 10, params: { program: slow, args: ['{host}'], concurrency: 8 } });
    await scheduler(s).sync();
    await makeDue(s, 'slow');
    await sweep(s);
    const st = (await stateOf(s, 'h1', 'slow'))!;
    expect(st.status).toBe('OK');
    // Observed ≥ 1.2 s after the run started; due 60 s after the start, so < 60 s after the observation.
    const gap = Date.parse(st.nextDueAt) - Date.parse(st.observedAt);
    expect(gap).toBeLessThanOrEqual(60_000 - 1_000);
    expect(gap).toBeGreaterThan(50_000);
  });
});
