/**
 * powerAction through GraphQL against real simulated BMCs (ipmi_sim), cross-checked with a
 * separate real ipmitool: power changes, Host.power, secrets kept out of argv and out of the API,
 * the authorisation matrix, bulk limit, reasons, dry runs, recommendations, cooldown, idempotency,
 * and an audit event for every refusal and every action.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodes, expectCode } from '../helpers/gql.js';
import { hasPeers, isRoot } from '../helpers/peers.js';
import { createNetnsLab, type NetnsLab } from '../peers/netns.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type IpmiSimPeer, startIpmiSim } from '../peers/ipmi-sim.js';

// Dark hosts: two test hosts in network namespaces with their links down. Their private subnet
// exists only on this machine's own links, so the pings that fail never leave the machine.
let lab: NetnsLab;
const DARK: string[] = [];

describe.runIf(hasPeers('ipmi_sim', 'ipmitool', 'sdrcomp', 'fping', 'ip') && isRoot())('powerAction against simulated BMCs', () => {
  let s: TestServer;
  let bmc: Record<'a' | 'b' | 'd1' | 'd2', IpmiSimPeer>;
  let opA: string;
  let viewer: string;

  const POWER = `mutation($h:[String!]!,$a:PowerAction!,$r:String!,$d:Boolean,$f:Boolean,$k:String){ powerAction(hosts:$h, action:$a, reason:$r, dryRun:$d, force:$f, idempotencyKey:$k){ dryRun okCount failedCount outcomes { host ok message details } auditEvent { id outcome details } } }`;
  const power = (token: string, hosts: string[], action: string, extra: { r?: string; d?: boolean; f?: boolean; k?: string } = {}) =>
    s.gql(POWER, { h: hosts, a: action, r: extra.r ?? 'test', d: extra.d, f: extra.f, k: extra.k }, token);
  const audits = async (outcome: string, host?: string) => {
    const r = await s.gql(
      `query($f: AuditFilter){ auditEvents(filter:$f, first: 100){ edges { node { id action actor outcome targets reason details } } } }`,
      { f: { action: 'ipmi.power', outcome: [outcome], host } },
      s.adminToken,
    );
    if (!r.data) throw new Error(JSON.stringify(r.errors));
    return r.data.auditEvents.edges.map((e: any) => e.node) as { id: string; actor: string; targets: string[]; reason: string; details: any }[];
  };
  /** `set power 0` lines the BMC's chassis_control script received: how often it really cut power. */
  const powerCuts = (p: IpmiSimPeer) => readFileSync(join(p.dir, 'chassis.log'), 'utf8').split('\n').filter((l) => /^set power "?0"?$/.test(l.trim())).length;
  const statuses = async () => Object.fromEntries(await Promise.all(Object.entries(bmc).map(async ([k, p]) => [k, await p.powerStatus()] as const)));
  const setBmc = async (host: string, p: IpmiSimPeer, password = p.admin.password) => {
    const r = await s.gql(
      `mutation($h:String!,$s:JSON!){ setHostSettings(host:$h, plugin:"ipmi", settings:$s){ __typename ... on PluginSettings { settings } ... on Error { message } } }`,
      { h: host, s: { address: '127.0.0.1', port: p.port, user: p.admin.user, password, cipherSuite: 3 } },
      s.adminToken,
    );
    expect(r.data?.setHostSettings?.__typename, JSON.stringify(r)).toBe('PluginSettings');
    return r;
  };

  beforeAll(async () => {
    lab = await createNetnsLab(2);
    DARK.push(...lab.hosts.map((h) => h.address));
    await lab.setLinkUp(0, false);
    await lab.setLinkUp(1, false);
    const [a, b, d1, d2] = await Promise.all([startIpmiSim(), startIpmiSim(), startIpmiSim(), startIpmiSim()]);
    bmc = { a: a!, b: b!, d1: d1!, d2: d2! };
    s = await startTestServer({ config: { maxBulk: 2, powerCycleAfterS: 0 } });
    const g = `mutation($i: CreateHostInput!){ createHost(input:$i){ __typename } }`;
    for (const [name, address, group] of [
      ['a1', '127.0.0.1', 'alpha'],
      ['dark1', DARK[0], 'alpha'],
      ['dark2', DARK[1], 'alpha'],
      ['bad1', '127.0.0.3', 'alpha'],
      ['b1', '127.0.0.2', 'beta'],
    ] as const) {
      expect((await s.gql(g, { i: { name, address, groups: [group] } }, s.adminToken)).data.createHost.__typename).toBe('HostPayload');
    }
    await setBmc('a1', bmc.a);
    await setBmc('dark1', bmc.d1);
    await setBmc('dark2', bmc.d2);
    await setBmc('b1', bmc.b);
    await setBmc('bad1', bmc.a, 'wrong-password-1');
    const check = `mutation($i: CreateCheckInput!){ createCheck(input:$i){ __typename ... on Error { message } } }`;
    for (const i of [
      { name: 'ping', kind: 'ping', failThreshold: 1, params: { count: 1, timeoutMs: 300 } },
      { name: 'bmc', kind: 'ipmi', failThreshold: 1, hosts: ['a1', 'dark1', 'dark2', 'bad1', 'b1'] },
    ]) {
      const r = await s.gql(check, { i }, s.adminToken);
      expect(r.data.createCheck.__typename, JSON.stringify(r)).toBe('CheckPayload');
    }
    const run = await s.gql(`mutation { runChecks(hosts:["a1","dark1","dark2","bad1","b1"]){ host kind status summary } }`, {}, s.adminToken);
    expect(run.errors).toBeUndefined();
    opA = await s.userToken('op-alpha', 'OPERATOR', ['alpha']);
    viewer = await s.userToken('watcher', 'VIEWER');
  }, 50_000);
  afterAll(async () => {
    await s?.stop();
    await lab?.cleanup();
    await Promise.all(Object.values(bmc ?? {}).map((p) => p.stop()));
  });

  it('shows BMC settings without the password, and Host.power as the BMC reports it', async () => {
    const r = await s.gql(`{ host(name:"a1"){ settings { plugin settings } power { reachable state error } } }`, {}, s.adminToken);
    const ipmi = r.data.host.settings.find((p: any) => p.plugin === 'ipmi');
    expect(ipmi.settings).toMatchObject({ hasPassword: true, user: bmc.a.admin.user, port: bmc.a.port });
    expect(JSON.stringify(r)).not.toContain(bmc.a.admin.password);
    expect(r.data.host.power).toEqual({ reachable: true, state: 'on', error: null });
  });

  it('gives the ipmi check CRIT "authentication failed" for a wrong password', async () => {
    const r = await s.gql(`mutation { runChecks(hosts:["bad1","a1"], kinds:["ipmi"]){ host status summary } }`, {}, s.adminToken);
    const byHost = Object.fromEntries(r.data.runChecks.map((o: any) => [o.host, o]));
    expect(byHost.bad1).toMatchObject({ status: 'CRIT' });
    expect(byHost.bad1.summary).toMatch(/authentication failed/);
    expect(byHost.a1).toMatchObject({ status: 'OK', summary: 'power on' });
  });

  it('refuses a viewer and changes nothing', async () => {
    const r = await power(viewer, ['a1'], 'SOFT');
    expect(errorCodes(r).some((c) => c === 'FORBIDDEN' || c === 'UNAUTHORISED' || c === 'UNAUTHENTICATED')).toBe(true);
    expect(r.data?.powerAction ?? null).toBeNull();
    expect(await bmc.a.powerStatus()).toBe('on');
    expect((await audits('INTENT', 'a1')).length).toBe(0);
  });

  it('refuses an operator of alpha on a beta host and on a mix, touching neither', async () => {
    const before = (await audits('DENIED')).length;
    for (const hosts of [['b1'], ['a1', 'b1']]) {
      const r = await power(opA, hosts, 'SOFT', { r: 'mixed selection' });
      expectCode(r, 'FORBIDDEN');
      expect(r.errors![0]!.message).toContain('b1');
    }
    expect(await statuses()).toEqual({ a: 'on', b: 'on', d1: 'on', d2: 'on' });
    const denied = await audits('DENIED');
    expect(denied.length).toBe(before + 2);
    expect(denied[0]).toMatchObject({ actor: 'op-alpha', targets: ['a1', 'b1'], reason: 'mixed selection' });
  });

  it('refuses a missing reason with REASON_REQUIRED and audits it', async () => {
    const before = (await audits('DENIED')).length;
    const r = await power(opA, ['a1'], 'SOFT', { r: '  ' });
    expectCode(r, 'REASON_REQUIRED');
    expect((await audits('DENIED')).length).toBe(before + 1);
    expect(await bmc.a.powerStatus()).toBe('on');
  });

  it('refuses more hosts than CORRAL_MAX_BULK unless an admin forces it', async () => {
    const three = ['a1', 'dark1', 'dark2'];
    expectCode(await power(opA, three, 'ON'), 'BULK_LIMIT');
    const admin = await power(s.adminToken, three, 'ON');
    expectCode(admin, 'BULK_LIMIT');
    expect(admin.errors![0]!.message).toMatch(/limit of 2/);
    const forced = await power(s.adminToken, three, 'ON', { f: true, d: true });
    expect(forced.errors).toBeUndefined();
    expect(forced.data.powerAction.outcomes.map((o: any) => o.host)).toEqual(three);
  });

  it('dry run changes nothing and says per host what would happen', async () => {
    const before = (await audits('DRY_RUN')).length;
    const r = await power(opA, ['a1', 'bad1'], 'SOFT', { d: true, r: 'just looking' });
    expect(r.data.powerAction.dryRun).toBe(true);
    const [a1, bad1] = r.data.powerAction.outcomes;
    expect(a1.message).toBe(`would soft shutdown (ACPI) a1 via BMC 127.0.0.1:${bmc.a.port} as admin (cipher suite 3)`);
    expect(bad1.host).toBe('bad1');
    expect(r.data.powerAction.auditEvent.outcome).toBe('DRY_RUN');
    expect((await audits('DRY_RUN')).length).toBe(before + 1);
    expect(await bmc.a.powerStatus()).toBe('on');
  });

  it('refuses admin OFF without a POWER_CYCLE recommendation unless forced; ON/OFF/CYCLE are seen by ipmitool', async () => {
    const off = await power(s.adminToken, ['a1'], 'OFF');
    expectCode(off, 'FORBIDDEN');
    expect(off.errors![0]!.message).toMatch(/POWER_CYCLE is not recommended for a1/);
    expect(await bmc.a.powerStatus()).toBe('on');

    const forced = await power(s.adminToken, ['a1'], 'OFF', { f: true, r: 'rack work' });
    expect(forced.errors).toBeUndefined();
    expect(forced.data.powerAction.outcomes[0]).toMatchObject({ host: 'a1', ok: true, details: { power: 'off' } });
    expect(await bmc.a.powerStatus()).toBe('off');
    expect((await s.gql(`{ host(name:"a1"){ power { reachable state } } }`, {}, s.adminToken)).data.host.power).toEqual({ reachable: true, state: 'off' });

    // ON is not a hard action: an operator needs no recommendation
    const on = await power(opA, ['a1'], 'ON', { r: 'back to work' });
    expect(on.data.powerAction.okCount).toBe(1);
    expect(await bmc.a.powerStatus()).toBe('on');

    // CYCLE: the password must never show in any process's argv while ipmitool runs
    const cutsBefore = powerCuts(bmc.a);
    let sawIpmitool = false;
    const leaks: string[] = [];
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
          let cmd = '';
          try {
            cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
          } catch {
            continue;
          }
          if (cmd.includes('ipmitool') && cmd.includes(String(bmc.a.port))) sawIpmitool = true;
          if (cmd.includes(bmc.a.admin.password)) leaks.push(cmd);
        }
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const cycle = await power(s.adminToken, ['a1'], 'CYCLE', { f: true, r: 'hung kernel' });
    sampling = false;
    await sampler;
    expect(cycle.data.powerAction.outcomes[0]).toMatchObject({ ok: true, details: { power: 'on' } });
    expect(powerCuts(bmc.a)).toBe(cutsBefore + 1);
    expect(await bmc.a.powerStatus()).toBe('on');
    expect(sawIpmitool).toBe(true);
    expect(leaks).toEqual([]);
    const ok = (await audits('OK', 'a1'))[0]!;
    expect(ok).toMatchObject({ actor: 'admin', reason: 'hung kernel', details: { forced: true, params: { action: 'cycle' } } });
    const intents = await audits('INTENT', 'a1');
    expect(intents.some((i) => i.id === String(ok.details.intentId))).toBe(true);
  });

  it('refuses an operator CYCLE on a host without the recommendation, naming the host', async () => {
    const cuts = powerCuts(bmc.a);
    const r = await power(opA, ['a1', 'dark1'], 'CYCLE', { r: 'try it' });
    expectCode(r, 'FORBIDDEN');
    expect(r.errors![0]!.message).toMatch(/not recommended for a1[;,]/);
    expect(r.errors![0]!.message).not.toMatch(/dark1/);
    expect(powerCuts(bmc.a)).toBe(cuts);
    expect(powerCuts(bmc.d1)).toBe(0);
  });

  it('lets an operator act on a recommended host; a second hard action within the cooldown needs admin + force', async () => {
    const recs = await s.gql(`{ host(name:"dark1"){ recommendations { action explanation } } }`, {}, opA);
    expect(recs.data.host.recommendations[0]).toMatchObject({ action: 'POWER_CYCLE' });
    const off = await power(opA, ['dark1'], 'OFF', { r: 'dark, cutting power' });
    expect(off.data.powerAction.outcomes[0]).toMatchObject({ ok: true, details: { power: 'off' } });
    expect(await bmc.d1.powerStatus()).toBe('off');
    expect(off.data.powerAction.auditEvent.details.recommendations).toEqual({ dark1: ['POWER_CYCLE'] });

    const again = await power(opA, ['dark1'], 'CYCLE', { r: 'again' });
    expectCode(again, 'FORBIDDEN');
    expect(again.errors![0]!.message).toMatch(/dark1 had ipmi.power within the last 10 minutes/);
    expect(await bmc.d1.powerStatus()).toBe('off');
    const adminNoForce = await power(s.adminToken, ['dark1'], 'CYCLE', { r: 'again' });
    expectCode(adminNoForce, 'FORBIDDEN');

    const forced = await power(s.adminToken, ['dark1'], 'CYCLE', { r: 'again, forced', f: true });
    expect(forced.data.powerAction.okCount).toBe(1);
    expect(await bmc.d1.powerStatus()).toBe('on');
  });

  it('acts once per idempotency key within 5 minutes and returns the first result', async () => {
    const first = await power(opA, ['dark2'], 'CYCLE', { r: 'dark for long', k: 'key-123' });
    expect(first.data.powerAction.okCount).toBe(1);
    expect(powerCuts(bmc.d2)).toBe(1);
    const second = await power(opA, ['dark2'], 'CYCLE', { r: 'dark for long', k: 'key-123' });
    expect(second.errors).toBeUndefined();
    expect(second.data.powerAction.auditEvent.id).toBe(first.data.powerAction.auditEvent.id);
    expect(second.data.powerAction.outcomes).toEqual(first.data.powerAction.outcomes);
    expect(powerCuts(bmc.d2)).toBe(1);
    expect((await audits('INTENT', 'dark2')).length).toBe(1);
    // a different key is a new request: now the cooldown (or the ESCALATE rule) refuses it
    expectCode(await power(opA, ['dark2'], 'CYCLE', { r: 'dark for long', k: 'key-456' }), 'FORBIDDEN');
    expect(powerCuts(bmc.d2)).toBe(1);
  });
});
