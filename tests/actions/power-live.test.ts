/**
 * Power changes reach the live views: a subscriber of hostUpdated sees the host again after a
 * power action (with Host.power read back), and an auditEvent subscriber sees intent and outcome.
 */
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hasPeers, waitFor } from '../helpers/peers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type IpmiSimPeer, startIpmiSim } from '../peers/ipmi-sim.js';

describe.runIf(hasPeers('ipmi_sim', 'ipmitool', 'sdrcomp'))('power state changes arrive over subscriptions', () => {
  let s: TestServer;
  let bmc: IpmiSimPeer;
  let client: Client;

  beforeAll(async () => {
    bmc = await startIpmiSim({ power: 'off' });
    s = await startTestServer();
    await s.gql(`mutation { createHost(input: { name: "pw1", groups: ["live"] }) { __typename } }`, {}, s.adminToken);
    const r = await s.gql(
      `mutation($s: JSON!){ setHostSettings(host: "pw1", plugin: "ipmi", settings: $s){ __typename } }`,
      { s: { address: '127.0.0.1', port: bmc.port, user: bmc.admin.user, password: bmc.admin.password, cipherSuite: 3 } },
      s.adminToken,
    );
    expect(r.data.setHostSettings.__typename).toBe('PluginSettings');
    client = createClient({ url: s.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${s.adminToken}` }, retryAttempts: 0, lazy: false });
  });
  afterAll(async () => {
    await client?.dispose();
    await s?.stop();
    await bmc?.stop();
  });

  it('delivers hostUpdated with the new power state and the audit intent and outcome', async () => {
    const hostEvents: { name: string; power: { state: string } | null }[] = [];
    const audits: { action: string; outcome: string }[] = [];
    client.subscribe<any>(
      { query: 'subscription { hostUpdated(groups: ["live"]) { name power { state } } }' },
      { next: (r) => r.data && hostEvents.push(r.data.hostUpdated), error: () => {}, complete: () => {} },
    );
    client.subscribe<any>({ query: 'subscription { auditEvent { action outcome } }' }, { next: (r) => r.data && audits.push(r.data.auditEvent), error: () => {}, complete: () => {} });
    await new Promise((r) => setTimeout(r, 500));
    const r = await s.gql(`mutation { powerAction(hosts: ["pw1"], action: ON, reason: "bring it up") { outcomes { host ok message } } }`, {}, s.adminToken);
    expect(r.data.powerAction.outcomes[0]).toMatchObject({ host: 'pw1', ok: true });
    await waitFor(() => hostEvents.some((e) => e.power?.state === 'on'), 10_000, 'hostUpdated with power on');
    await waitFor(() => audits.some((a) => a.action === 'ipmi.power' && a.outcome === 'OK'), 5000, 'the outcome audit event');
    expect(audits.filter((a) => a.action === 'ipmi.power').map((a) => a.outcome)).toEqual(['INTENT', 'OK']);
    expect(await bmc.powerStatus()).toBe('on');
  });
});
