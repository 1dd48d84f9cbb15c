/**
 * End to end with real peers: a namespace host that goes dark gets a POWER_CYCLE recommendation,
 * an operator of its group cycles it through powerAction (the audit records the recommendation
 * shown), the simulated BMC really cycles, and the recommendation clears when the host is back.
 * Then cycleAndResume (drain → cycle → wait for ping → resume) against Slurm + ipmi_sim: a host
 * that stays dark is left drained with the reason saying so; a healthy one is resumed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../helpers/gql.js';
import { hasPeers, isRoot, waitFor } from '../helpers/peers.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type IpmiSimPeer, startIpmiSim } from '../peers/ipmi-sim.js';
import { createNetnsLab, type NetnsLab } from '../peers/netns.js';
import { type SlurmPeer, startSlurm } from '../peers/slurm.js';

describe.runIf(isRoot() && hasPeers('ip', 'fping', 'ipmi_sim', 'ipmitool', 'sdrcomp', 'munged', 'slurmctld', 'slurmd', 'sinfo', 'scontrol'))('repair: recommendation → power cycle → resume', () => {
  let s: TestServer;
  let lab: NetnsLab;
  let slurm: SlurmPeer;
  let bmcNs: IpmiSimPeer;
  let bmcN1: IpmiSimPeer;
  let opLab: string;
  let opAll: string;

  const powerCuts = (p: IpmiSimPeer) => readFileSync(join(p.dir, 'chassis.log'), 'utf8').split('\n').filter((l) => /^set power "?0"?$/.test(l.trim())).length;
  const recs = async (host: string) => (await s.gql(`query($h:String!){ host(name:$h){ recommendations { action explanation } } }`, { h: host }, s.adminToken)).data.host.recommendations as { action: string }[];
  const drainReasons = async () => {
    const r = await slurm.sinfo(['-h', '-R', '-o', '%E|%u|%H|%N|%T']);
    return Object.fromEntries(r.stdout.trim().split('\n').filter(Boolean).map((l) => [l.split('|')[3], l.split('|')[0]]));
  };
  const repairEvents = async () =>
    (await s.gql(`{ auditEvents(filter:{ action:"repair.cycle-and-resume" }){ edges { node { outcome targets reason details } } } }`, {}, s.adminToken)).data.auditEvents.edges.map((e: any) => e.node);
  const CAR = `mutation($h:[String!]!,$r:String!,$f:Boolean,$t:Int){ cycleAndResume(hosts:$h, reason:$r, force:$f, timeoutS:$t){ okCount outcomes { host ok message details } auditEvent { action outcome } } }`;

  beforeAll(async () => {
    [lab, slurm, bmcNs, bmcN1] = await Promise.all([createNetnsLab(1), startSlurm(), startIpmiSim(), startIpmiSim()]);
    s = await startTestServer({ config: { slurmConf: slurm.slurmConf, scheduler: true, schedulerTickMs: 200, powerCycleAfterS: 1, checkMaxBackoffS: 1 } });
    const mk = await s.gql(`mutation($i: CreateHostInput!){ createHost(input:$i){ __typename ... on Error { message } } }`, { i: { name: 'nsh', address: lab.hosts[0]!.address, groups: ['lab'], labels: { slurm_node: 'node2' } } }, s.adminToken);
    expect(mk.data.createHost.__typename, JSON.stringify(mk)).toBe('HostPayload');
    await waitFor(async () => !!(await s.gql(`{ host(name:"node1"){ name } }`, {}, s.adminToken)).data?.host, 15_000, 'Slurm nodes synced as hosts');
    for (const [host, p] of [['nsh', bmcNs], ['node1', bmcN1]] as const) {
      const r = await s.gql(`mutation($h:String!,$s:JSON!){ setHostSettings(host:$h, plugin:"ipmi", settings:$s){ __typename } }`, { h: host, s: { address: '127.0.0.1', port: p.port, user: p.admin.user, password: p.admin.password, cipherSuite: 3 } }, s.adminToken);
      expect(r.data.setHostSettings.__typename).toBe('PluginSettings');
    }
    const check = `mutation($i: CreateCheckInput!){ createCheck(input:$i){ __typename ... on Error { message } } }`;
    for (const i of [
      { name: 'ping', kind: 'ping', hosts: ['nsh', 'node1'], intervalS: 1, failThreshold: 1, okThreshold: 1, params: { count: 1, timeoutMs: 300 } },
      { name: 'bmc', kind: 'ipmi', hosts: ['nsh', 'node1'], intervalS: 1, failThreshold: 1, okThreshold: 1 },
    ]) {
      const r = await s.gql(check, { i }, s.adminToken);
      expect(r.data.createCheck.__typename, JSON.stringify(r)).toBe('CheckPayload');
    }
    opLab = await s.userToken('op-lab', 'OPERATOR', ['lab']);
    opAll = await s.userToken('op-all', 'OPERATOR');
  }, 55_000);
  afterAll(async () => {
    await s?.stop();
    await Promise.all([lab?.cleanup(), slurm?.stop(), bmcNs?.stop(), bmcN1?.stop()]);
  });

  it('recommends POWER_CYCLE for a dark host; its group operator cycles it; the recommendation clears when it is back', async () => {
    await waitFor(async () => (await s.gql(`{ host(name:"nsh"){ checks { kind status } } }`, {}, s.adminToken)).data.host.checks.some((c: any) => c.kind === 'ping' && c.status === 'OK'), 10_000, 'nsh pings');
    expect(await recs('nsh')).toEqual([]);
    await lab.setLinkUp(0, false);
    await waitFor(async () => (await recs('nsh')).some((r) => r.action === 'POWER_CYCLE'), 15_000, 'POWER_CYCLE recommended');

    const r = await s.gql(`mutation { powerAction(hosts:["nsh"], action: CYCLE, reason:"dark, BMC says on"){ okCount outcomes { host ok details } auditEvent { actor details } } }`, {}, opLab);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data.powerAction.outcomes[0]).toMatchObject({ host: 'nsh', ok: true, details: { power: 'on' } });
    expect(r.data.powerAction.auditEvent).toMatchObject({ actor: 'op-lab', details: { recommendations: { nsh: ['POWER_CYCLE'] } } });
    expect(powerCuts(bmcNs)).toBe(1);
    expect(await bmcNs.powerStatus()).toBe('on');
    // dark again after a cycle: the rule hands it to a human instead of cycling again
    await waitFor(async () => (await recs('nsh')).some((x) => x.action === 'ESCALATE'), 10_000, 'ESCALATE after a cycle');

    await lab.setLinkUp(0, true);
    await waitFor(async () => (await recs('nsh')).length === 0, 15_000, 'recommendation cleared');
  });

  it('cycleAndResume leaves a host that stays dark drained, with the reason saying so', async () => {
    await lab.setLinkUp(0, false);
    const r = await s.gql(CAR, { h: ['nsh'], r: 'bofh: dark', f: true, t: 3 }, s.adminToken);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data.cycleAndResume.outcomes[0]).toMatchObject({ host: 'nsh', ok: true, details: { drained: true, cycled: true } });
    expect(powerCuts(bmcNs)).toBe(2);
    expect((await drainReasons()).node2).toBe('bofh: dark');
    await waitFor(async () => (await repairEvents()).length === 1, 15_000, 'repair finished');
    const [ev] = await repairEvents();
    expect(ev).toMatchObject({ outcome: 'FAILED', targets: ['nsh'], details: { outcomes: [{ host: 'nsh', drained: true, cycled: true, resumed: false }] } });
    expect((await drainReasons()).node2).toMatch(/^bofh: dark — cycled at \d{4}-\d\d-\d\dT[\d:.]+Z, still unhealthy after 3s$/);
    await lab.setLinkUp(0, true);
  });

  it('refuses an operator without a recommendation and drains nothing', async () => {
    const r = await s.gql(CAR, { h: ['node1'], r: 'bofh: try' }, opAll);
    expectCode(r, 'FORBIDDEN');
    expect(r.errors![0]!.message).toMatch(/POWER_CYCLE is not recommended for node1/);
    expect((await drainReasons()).node1).toBeUndefined();
    expect(powerCuts(bmcN1)).toBe(0);
  });

  it('cycleAndResume drains, cycles, and resumes a host once ping passes', async () => {
    const r = await s.gql(CAR, { h: ['node1'], r: 'bofh: flaky', f: true, t: 8 }, s.adminToken);
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data.cycleAndResume).toMatchObject({ okCount: 1, auditEvent: { action: 'ipmi.power', outcome: 'OK' } });
    expect(r.data.cycleAndResume.outcomes[0]).toMatchObject({ host: 'node1', ok: true, details: { drained: true, cycled: true } });
    expect(powerCuts(bmcN1)).toBe(1);
    expect((await drainReasons()).node1).toBe('bofh: flaky');
    await waitFor(async () => (await repairEvents()).length === 2, 15_000, 'repair finished');
    const ev = (await repairEvents())[0];
    expect(ev).toMatchObject({ outcome: 'OK', targets: ['node1'], details: { outcomes: [{ host: 'node1', resumed: true }] } });
    expect((await drainReasons()).node1).toBeUndefined();
    const st = await slurm.sinfo(['-h', '-n', 'node1', '-o', '%T']);
    expect(st.stdout.trim()).toMatch(/^idle/);
    // every step was audited through the action engine
    const a = await s.gql(`{ auditEvents(filter:{ host:"node1", since:"${new Date(Date.now() - 60_000).toISOString()}" }, first: 50){ edges { node { action outcome } } } }`, {}, s.adminToken);
    const seen = a.data.auditEvents.edges.map((e: any) => `${e.node.action}:${e.node.outcome}`);
    for (const x of ['slurm.drain:INTENT', 'slurm.drain:OK', 'ipmi.power:INTENT', 'ipmi.power:OK', 'slurm.resume:OK', 'repair.cycle-and-resume:OK']) expect(seen).toContain(x);
  });
});
