/**
 * Hosts that really vanish: two network namespaces pinged by the real scheduler loop. Taking one's
 * link down turns its ping CRIT within interval × threshold, bringing it up turns it OK, and a
 * graphql-ws subscriber sees both state changes (checkStateChanged) and the health changes (hostUpdated).
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPeers, isRoot, waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createNetnsLab, type NetnsLab } from '../peers/netns.js';
import { type Collector, collect, createCheck, sleep, stateOf, waitForState, wsClient } from './support.js';

type Changed = { checkStateChanged: { status: string; summary: string; host: { name: string; health: string } } };

describe.runIf(isRoot() && hasPeers('ip', 'fping'))('ping over network namespaces', () => {
  let s: TestServer;
  let lab: NetnsLab;
  let ws: Client;
  let changes: Collector<Changed>;
  let hostEvents: Collector<{ hostUpdated: { name: string } }>;

  beforeAll(async () => {
    lab = await createNetnsLab(2);
    s = await startTestServer({ config: { scheduler: true, schedulerTickMs: 200, checkMaxBackoffS: 4 } });
    await seed(s.server.app.db)
      .host('ns0', { address: lab.hosts[0]!.address, groups: ['ns'] })
      .host('ns1', { address: lab.hosts[1]!.address, groups: ['ns'] })
      .done();
    ws = wsClient(s);
    changes = collect(ws, `subscription { checkStateChanged(groups: ["ns"], kinds: ["ping"]) { status summary host { name health } } }`);
    hostEvents = collect(ws, `subscription { hostUpdated(groups: ["ns"]) { name } }`);
    await sleep(800); // subscriptions start asynchronously
    await createCheck(s, { name: 'ping-ns', kind: 'ping', hosts: ['@ns'], intervalS: 1, failThreshold: 2, okThreshold: 1, params: { count: 1, timeoutMs: 300 } });
  });
  afterAll(async () => {
    await ws?.dispose();
    await s?.stop();
    await lab?.cleanup();
  });

  const of = (host: string) => changes.events.filter((e) => e.checkStateChanged.host.name === host).map((e) => e.checkStateChanged.status);

  it('both namespace hosts answer: OK, announced once each', async () => {
    for (const h of ['ns0', 'ns1']) await waitForState(s, h, 'ping-ns', (st) => st.status === 'OK', 20_000);
    await waitFor(() => of('ns0').length === 1 && of('ns1').length === 1, 5000, 'first-result events');
    expect(of('ns0')).toEqual(['OK']);
    expect(changes.errors).toEqual([]);
  });

  it('link down: CRIT within interval × threshold, and the subscriber is told', async () => {
    const hostEventsBefore = hostEvents.events.filter((e) => e.hostUpdated.name === 'ns0').length;
    const started = Date.now();
    await lab.setLinkUp(0, false);
    const st = await waitForState(s, 'ns0', 'ping-ns', (x) => x.status === 'CRIT', 15_000);
    // 2 failures 1 s apart, plus a tick and a fping timeout of slack (generous for a loaded machine)
    expect(Date.now() - started).toBeLessThan(8000);
    expect(st.summary.length).toBeGreaterThan(3);
    await waitFor(() => of('ns0').length === 2, 5000, 'CRIT event');
    expect(of('ns0')).toEqual(['OK', 'CRIT']);
    expect(changes.events.at(-1)!.checkStateChanged.host).toEqual({ name: 'ns0', health: 'CRIT' });
    await waitFor(() => hostEvents.events.filter((e) => e.hostUpdated.name === 'ns0').length > hostEventsBefore, 5000, 'hostUpdated for ns0');
    // the other namespace is unaffected
    expect((await stateOf(s, 'ns1', 'ping-ns'))?.status).toBe('OK');
    expect(of('ns1')).toEqual(['OK']);
  });

  it('link up: OK again, and the subscriber is told', async () => {
    const hostEventsBefore = hostEvents.events.filter((e) => e.hostUpdated.name === 'ns0').length;
    await lab.setLinkUp(0, true);
    // the breaker may wait up to checkMaxBackoffS (4 s) before the next probe
    await waitForState(s, 'ns0', 'ping-ns', (x) => x.status === 'OK' && x.backoffS === 0, 15_000);
    await waitFor(() => of('ns0').length === 3, 5000, 'OK event');
    expect(of('ns0')).toEqual(['OK', 'CRIT', 'OK']);
    expect(changes.events.at(-1)!.checkStateChanged.host).toEqual({ name: 'ns0', health: 'OK' });
    await waitFor(() => hostEvents.events.filter((e) => e.hostUpdated.name === 'ns0').length > hostEventsBefore, 5000, 'hostUpdated for ns0');
    const h = await s.gql(`{ host(name:"ns0"){ health } }`, {}, s.adminToken);
    expect(h.data.host.health).toBe('OK');
  });
});
