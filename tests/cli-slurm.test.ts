/**
 * `corral slurm` and `corral hosts show` against a real Slurm (slurmctld + 3 slurmd): host arguments
 * are expanded by the server, a drain where one host is not a Slurm node exits 3 and drains the
 * others (as `sinfo -R` shows), a dry run changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../src/core/command.js';
import { findBinary, hasPeers, waitFor } from './helpers/peers.js';
import { seed } from './helpers/seed.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { type SlurmPeer, startSlurm } from './peers/slurm.js';
import { runCli } from './cli-helpers.js';

describe.runIf(hasPeers('munged', 'slurmctld', 'slurmd', 'sinfo', 'scontrol'))('corral slurm with a real Slurm', () => {
  let slurm: SlurmPeer;
  let srv: TestServer;
  let env: Record<string, string>;

  /** Drained nodes as Slurm reports them: node → "reason|user". `-N` lists each node on its own line. */
  const drained = async (): Promise<Record<string, string>> => {
    const r = await runCommand(findBinary('sinfo')!, ['-h', '-N', '-R', '-o', '%E|%u|%N'], { timeoutMs: 15_000, env: slurm.env });
    expect(r.code, r.stderr).toBe(0);
    const out: Record<string, string> = {};
    for (const line of r.stdout.trim().split('\n').filter(Boolean)) {
      const [reason, user, node] = line.split('|');
      out[node!.trim()] = `${reason!.trim()}|${user!.trim()}`;
    }
    return out;
  };

  beforeAll(async () => {
    slurm = await startSlurm();
    srv = await startTestServer({ config: { slurmConf: slurm.slurmConf } });
    // The server's Slurm inventory sync creates node1..node3 (and the partitions as groups) at start.
    await waitFor(
      async () => {
        const r = await srv.gql('{ hosts { edges { node { name } } } }', {}, srv.adminToken);
        const names = (r.data?.hosts.edges ?? []).map((e: { node: { name: string } }) => e.node.name);
        return ['node1', 'node2', 'node3'].every((n) => names.includes(n));
      },
      20_000,
      'Slurm nodes synced as hosts',
    );
    await seed(srv.server.app.db).host('lonely', { address: '127.0.0.1' }).done();
    env = { HOME: '/nonexistent', CORRAL_URL: srv.url, CORRAL_TOKEN: srv.adminToken };
  });

  afterAll(async () => {
    await srv?.stop();
    await slurm?.stop();
  });

  it('status: ranges and @groups are expanded by the server; an unknown name is exit 1 naming it', async () => {
    const r = await runCli(['slurm', 'status', 'node[1-2]', '@render', 'lonely', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { host: string; slurm: { state: string; partitions: string[] } | null }[];
    expect(rows.map((x) => x.host).sort()).toEqual(['lonely', 'node1', 'node2', 'node3']);
    expect(rows.find((x) => x.host === 'node2')!.slurm).toMatchObject({ state: expect.stringMatching(/idle/i), partitions: expect.arrayContaining(['debug', 'render']) });
    expect(rows.find((x) => x.host === 'lonely')!.slurm).toBeNull();

    const table = await runCli(['slurm', 'status', 'lonely'], { env });
    expect(table.stdout).toMatch(/^lonely\s+not a Slurm node/m);

    const bad = await runCli(['slurm', 'status', 'node1', 'nosuch[1-2]'], { env });
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('corral: unknown hosts: nosuch1, nosuch2 — see `corral hosts list`');
  });

  it('drain --dry-run changes nothing in Slurm', async () => {
    const r = await runCli(['slurm', 'drain', 'node1', '--reason', 'cli dry run', '--dry-run', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout);
    expect(result).toMatchObject({ dryRun: true, okCount: 1, failedCount: 0 });
    expect(await drained()).toEqual({});
  });

  it('drain where one host is not a Slurm node: exit 3, the Slurm node is drained with the reason', async () => {
    const r = await runCli(['slurm', 'drain', 'node1', 'lonely', '--reason', 'cli partial', '--yes'], { env, timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const rows = Object.fromEntries(r.stdout.trim().split('\n').slice(1).map((l) => [l.split(/\s+/)[0], l]));
    expect(rows.node1).toMatch(/^node1\s+ok/);
    expect(rows.lonely).toMatch(/^lonely\s+FAILED/);
    expect(r.stderr).toContain('drain: 1 ok, 1 failed');
    expect(await drained()).toEqual({ node1: 'cli partial|root' });
  });

  it('drain of a range where all are Slurm nodes: exit 0, both drained', async () => {
    const r = await runCli(['slurm', 'drain', 'node[2-3]', '--reason', 'cli all ok', '--yes', '--json'], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: false, okCount: 2, failedCount: 0 });
    expect(await drained()).toEqual({ node1: 'cli partial|root', node2: 'cli all ok|root', node3: 'cli all ok|root' });
  });

  it('hosts show: Slurm state with the drain reason, and the drain in its recent events', async () => {
    const r = await runCli(['hosts', 'show', 'node1'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Name:\s+node1$/m);
    expect(r.stdout).toMatch(/^Groups:\s+debug$/m);
    expect(r.stdout).toMatch(/^Slurm:\s+\S*drain\S* \(partitions debug, reason "cli partial" by root\)$/im);
    expect(r.stdout).toMatch(/^Recent events/m);
    // newest first: the real drain (its outcome, then its intent record), the dry run last
    const events = r.stdout.slice(r.stdout.indexOf('Recent events')).split('\n').filter((l) => /slurm/.test(l));
    expect(events[0]).toMatch(/admin\s+slurm\.drain\s+PARTIAL\s+cli partial$/);
    expect(events.at(-1)).toMatch(/admin\s+slurm\.drain\s+DRY_RUN\s+cli dry run$/);

    const json = JSON.parse((await runCli(['hosts', 'show', 'lonely', '--json'], { env })).stdout);
    expect(json).toMatchObject({ name: 'lonely', address: '127.0.0.1', slurm: null, power: null });
    expect(json.auditEvents[0]).toMatchObject({ outcome: 'PARTIAL', reason: 'cli partial' });

    const missing = await runCli(['hosts', 'show', 'nosuch'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('corral: unknown host: nosuch — see `corral hosts list`');
  });
});
