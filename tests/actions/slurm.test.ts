/**
 * Slurm through Corral's GraphQL against a real Slurm 22.05: drain/resume seen by sinfo, reasons
 * set with scontrol seen in Host.slurm, partitions synced as SLURM groups at start (a static group
 * of the same name is left alone) and usable as @partition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pluginsEngine, schedulerEngine } from '../../src/engines.js';
import type { Engine } from '../../src/server.js';
import { hasPeers, waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { type SlurmPeer, startSlurm } from '../peers/slurm.js';

describe.runIf(hasPeers('munged', 'slurmctld', 'slurmd', 'sinfo', 'scontrol'))('Slurm actions and partitions through GraphQL', () => {
  let slurm: SlurmPeer;
  let s: TestServer;
  let op: string;

  /** `sinfo -R` with a delimiter: node → "reason|user|state" (the documented way to read full reasons). */
  const drained = async () => {
    const r = await slurm.sinfo(['-h', '-R', '-o', '%E|%u|%H|%N|%T']);
    expect(r.code).toBe(0);
    return Object.fromEntries(
      r.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => {
          const [reason, user, , nodes, state] = l.split('|');
          return [nodes, { reason, user, state }];
        }),
    );
  };
  const group = async (name: string) => (await s.gql(`query($n:String!){ group(name:$n){ source hosts { name } } }`, { n: name }, s.adminToken)).data?.group;

  beforeAll(async () => {
    slurm = await startSlurm();
    // Before the plugins engine syncs: a static group named like a partition, with its own host.
    const staticFirst: Engine = async (app) => {
      await seed(app.db).host('ws1', { groups: ['render'], address: '127.0.0.9' }).done();
      return async () => {};
    };
    s = await startTestServer({ config: { slurmConf: slurm.slurmConf }, engines: [staticFirst, pluginsEngine, schedulerEngine] });
    op = await s.userToken('op-slurm', 'OPERATOR');
  }, 50_000);
  afterAll(async () => {
    await s?.stop();
    await slurm?.stop();
  });

  it('syncs partitions as SLURM groups at start and leaves a static group with hosts alone', async () => {
    await waitFor(async () => (await group('debug'))?.source === 'SLURM', 15_000, 'partition debug synced');
    expect((await group('debug')).hosts.map((h: any) => h.name)).toEqual(['node1', 'node2']);
    expect(await group('render')).toEqual({ source: 'STATIC', hosts: [{ name: 'ws1' }] });
    const n3 = await s.gql(`{ host(name:"node3"){ name slurm { state partitions cpus memoryMb busy } } }`, {}, s.adminToken);
    expect(n3.data.host).toEqual({ name: 'node3', slurm: { state: 'IDLE', partitions: ['render'], cpus: 2, memoryMb: 1000, busy: false } });
  });

  it('drains the hosts of a partition addressed as @partition, visible in sinfo -R, and resumes them', async () => {
    const d = await s.gql(`mutation { slurmDrain(hosts:["@debug"], reason:"swap the fans, ticket 42"){ okCount outcomes { host ok message } auditEvent { action outcome actor } } }`, {}, op);
    expect(d.errors).toBeUndefined();
    expect(d.data.slurmDrain.outcomes.map((o: any) => [o.host, o.ok])).toEqual([
      ['node1', true],
      ['node2', true],
    ]);
    expect(d.data.slurmDrain.auditEvent).toEqual({ action: 'slurm.drain', outcome: 'OK', actor: 'op-slurm' });
    const rows = await drained();
    expect(Object.keys(rows).join(',')).toMatch(/node\[1-2\]|node1,node2/);
    expect(Object.values(rows)[0]).toMatchObject({ reason: 'swap the fans, ticket 42', user: 'root' });
    expect((Object.values(rows)[0] as { state: string }).state).toMatch(/drain/);
    const h = await s.gql(`{ host(name:"node2"){ slurm { state flags reason } } }`, {}, op);
    expect(h.data.host.slurm.flags).toContain('DRAIN');
    expect(h.data.host.slurm.reason).toBe('swap the fans, ticket 42');

    const r = await s.gql(`mutation { slurmResume(hosts:["@debug"]){ okCount outcomes { host message } } }`, {}, op);
    expect(r.data.slurmResume.okCount).toBe(2);
    expect(await drained()).toEqual({});
  });

  it('shows a reason set with scontrol in Host.slurm: reason, who and when', async () => {
    const before = Date.now();
    const sc = await slurm.scontrol(['update', 'nodename=node3', 'state=drain', 'reason=disk errors on sdb']);
    expect(sc.code, sc.stderr).toBe(0);
    const h = await s.gql(`{ host(name:"node3"){ slurm { state flags reason reasonUser reasonTime } } }`, {}, s.adminToken);
    const v = h.data.host.slurm;
    expect(v).toMatchObject({ reason: 'disk errors on sdb', reasonUser: 'root' });
    expect(v.flags).toContain('DRAIN');
    expect(Math.abs(new Date(v.reasonTime).getTime() - before)).toBeLessThan(10_000);
    await slurm.scontrol(['update', 'nodename=node3', 'state=resume']);
  });

  it('refuses to drain without a usable reason and drains nothing', async () => {
    const r = await s.gql(`mutation { slurmDrain(hosts:["node1"], reason:"  "){ okCount } }`, {}, op);
    expect(r.errors?.[0]?.extensions?.code).toBe('REASON_REQUIRED');
    expect(await drained()).toEqual({});
    const a = await s.gql(`{ auditEvents(filter:{ action:"slurm.drain", outcome:[DENIED] }){ edges { node { actor targets } } } }`, {}, s.adminToken);
    expect(a.data.auditEvents.edges.map((e: any) => e.node)).toEqual([{ actor: 'op-slurm', targets: ['node1'] }]);
  });
});
