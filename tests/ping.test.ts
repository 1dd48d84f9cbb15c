import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandRunner, runCommand } from '../src/core/command.js';
import type { CheckOutcome, HostTarget } from '../src/core/plugin.js';
import { type PingParams, pingCheck, splitSweep, tailShare } from '../src/plugins/ping/check.js';
import { pingPlugin } from '../src/plugins/ping/plugin.js';
import { checkContext, target } from './helpers/check-context.js';
import { hasPeers, isRoot } from './helpers/peers.js';
import { createNetnsLab, type NetnsLab } from './peers/netns.js';

const params = (p: Partial<PingParams> = {}): PingParams => pingCheck.params.parse({ periodMs: 20, timeoutMs: 300, ...p });

/** A runner that records every spawn, then really runs it. */
function countingRunner() {
  const calls: { file: string; args: readonly string[] }[] = [];
  const run: CommandRunner = (file, args, options) => {
    calls.push({ file, args });
    return runCommand(file, args, options);
  };
  return { calls, run };
}

const byHost = (outcomes: CheckOutcome[]) => new Map(outcomes.map((o) => [o.hostId, o]));

describe.runIf(hasPeers('fping'))('ping check against loopback', () => {
  it('is registered by the ping plugin', () => {
    expect(pingPlugin.checks?.ping).toBe(pingCheck);
  });

  it('reports loopback addresses OK with loss and RTT metrics', async () => {
    const hosts = [target('lo1', '127.0.0.1'), target('lo2', '127.0.0.2'), target('127.0.0.3', null)];
    const outcomes = byHost(await pingCheck.run(hosts, params(), checkContext(5000)));
    expect(outcomes.size).toBe(3);
    for (const h of hosts) {
      const o = outcomes.get(h.id)!;
      expect(o.status).toBe('OK');
      expect(o.summary).toMatch(/^0% loss, rtt [\d.]+ ms$/);
      expect(o.metrics?.loss_pct).toBe(0);
      expect(o.metrics?.rtt_avg_ms).toBeGreaterThan(0);
      expect(o.metrics?.rtt_avg_ms).toBeLessThan(50);
      expect(o.metrics?.rtt_min_ms).toBeLessThanOrEqual(o.metrics!.rtt_avg_ms!);
      expect(o.metrics?.rtt_max_ms).toBeGreaterThanOrEqual(o.metrics!.rtt_avg_ms!);
    }
  });

  it('pings 200 loopback addresses in one fping process, every one OK', async () => {
    const hosts = Array.from({ length: 200 }, (_, i) => target(`n${i}`, `127.0.${1 + (i >> 8)}.${1 + (i % 250)}`));
    const { calls, run } = countingRunner();
    const outcomes = await pingCheck.run(hosts, params({ intervalMs: 0, count: 2 }), { ...checkContext(10_000), run });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.file).toBe('fping');
    expect(outcomes).toHaveLength(200);
    expect(outcomes.filter((o) => o.status === 'OK')).toHaveLength(200);
    expect(new Set(outcomes.map((o) => o.hostId))).toEqual(new Set(hosts.map((h) => h.id)));
  });

  it('refuses an invalid address before fping runs, and still pings the rest', async () => {
    const bad = target('evil', '--help');
    const alsoBad = target('bad2', '300.1.1.1');
    const good = target('good', '127.0.0.9');
    const { calls, run } = countingRunner();
    const outcomes = byHost(await pingCheck.run([bad, alsoBad, good], params(), { ...checkContext(5000), run }));
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args).not.toContain('--help');
    expect(calls[0]!.args).not.toContain('300.1.1.1');
    expect(calls[0]!.args.at(-1)).toBe('127.0.0.9');
    expect(outcomes.get(bad.id)).toMatchObject({ status: 'UNKNOWN', summary: expect.stringMatching(/^not pinged: address '--help' is neither an IP address nor a valid host name/) });
    expect(outcomes.get(alsoBad.id)?.status).toBe('UNKNOWN');
    expect(outcomes.get(good.id)?.status).toBe('OK');
  });

  it('runs no fping at all when every address is invalid', async () => {
    const { calls, run } = countingRunner();
    const outcomes = await pingCheck.run([target('x', '-f/etc/shadow')], params(), { ...checkContext(5000), run });
    expect(calls).toHaveLength(0);
    expect(outcomes).toEqual([expect.objectContaining({ status: 'UNKNOWN' })]);
  });

  it('gives each of several hosts sharing one address the result, pinging it once', async () => {
    const a = target('a', '127.0.0.5');
    const b = target('b', '127.0.0.5');
    const { calls, run } = countingRunner();
    const outcomes = byHost(await pingCheck.run([a, b], params(), { ...checkContext(5000), run }));
    expect(calls[0]!.args.filter((x) => x === '127.0.0.5')).toHaveLength(1);
    expect(outcomes.get(a.id)?.status).toBe('OK');
    expect(outcomes.get(b.id)?.status).toBe('OK');
  });

  it('a name that does not resolve is UNKNOWN while the others are OK', async () => {
    const ghost = target('ghost', 'no-such-host.invalid');
    const lo = target('lo', '127.0.0.1');
    const outcomes = byHost(await pingCheck.run([ghost, lo], params(), checkContext(10_000)));
    expect(outcomes.get(ghost.id)).toMatchObject({ status: 'UNKNOWN', summary: expect.stringContaining('could not resolve') });
    expect(outcomes.get(lo.id)?.status).toBe('OK');
  });

  it('refuses up front a sweep that cannot finish within the check timeout', async () => {
    const hosts = Array.from({ length: 100 }, (_, i) => target(`n${i}`, `127.0.3.${i + 1}`));
    const { calls, run } = countingRunner();
    const started = Date.now();
    await expect(pingCheck.run(hosts, params({ intervalMs: 10, count: 3 }), { ...checkContext(1000), run })).rejects.toThrow(
      /takes at least 3\.3 s, more than the check timeout of 1 s/,
    );
    expect(calls).toHaveLength(0);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('hands a large sweep head over early when the caller takes early results, every host once', async () => {
    // 2,000 loopback addresses, 127.2.0.1 … : all answer.
    const hosts = Array.from({ length: 2000 }, (_, i) => target(`big${i}`, `127.2.${Math.floor(i / 250)}.${(i % 250) + 1}`));
    const { calls, run } = countingRunner();
    const early: { outcomes: CheckOutcome[]; callsSoFar: number }[] = [];
    const ctx = { ...checkContext(20_000), run, reportEarly: (o: CheckOutcome[]) => early.push({ outcomes: o, callsSoFar: calls.length }) };
    const p = params({ intervalMs: 1, count: 1 });
    const outcomes = await pingCheck.run(hosts, p, ctx);
    expect(calls).toHaveLength(2);
    // Handed over once the head is pinged, the tail's fping already started: the head is the first ~91% at -i 1.
    expect(early).toHaveLength(1);
    expect(early[0]!.callsSoFar).toBe(2);
    const head = 2000 - Math.ceil(2000 * tailShare(p));
    expect(early[0]!.outcomes.map((o) => o.hostId)).toEqual(hosts.slice(0, head).map((h) => h.id));
    expect(early[0]!.outcomes.every((o) => o.status === 'OK')).toBe(true);
    // run still returns every outcome, each host once, all OK
    expect(outcomes).toHaveLength(2000);
    expect(new Set(outcomes.map((o) => o.hostId)).size).toBe(2000);
    expect(outcomes.filter((o) => o.status === 'OK')).toHaveLength(2000);
    // the same sweep without a taker of early results: one fping process, as before
    const plain = countingRunner();
    expect(await pingCheck.run(hosts, p, { ...checkContext(20_000), run: plain.run })).toHaveLength(2000);
    expect(plain.calls).toHaveLength(1);
  });

  it('hands a flat-out sweep over in equal parts, each while the next is pinged', async () => {
    // 3,000 loopback addresses at -i 0, two early reports taken: three fping runs of 1,000.
    const hosts = Array.from({ length: 3000 }, (_, i) => target(`flat${i}`, `127.3.${Math.floor(i / 250)}.${(i % 250) + 1}`));
    const { calls, run } = countingRunner();
    const early: { outcomes: CheckOutcome[]; callsSoFar: number }[] = [];
    const ctx = { ...checkContext(20_000), run, earlyReports: 2, reportEarly: (o: CheckOutcome[]) => early.push({ outcomes: o, callsSoFar: calls.length }) };
    const outcomes = await pingCheck.run(hosts, params({ intervalMs: 0, count: 1 }), ctx);
    expect(calls.map((c) => c.args.filter((a) => a.startsWith('127.3.')).length)).toEqual([1000, 1000, 1000]);
    expect(early.map((e) => e.callsSoFar)).toEqual([2, 3]);
    expect(early.map((e) => e.outcomes.map((o) => o.hostId))).toEqual([hosts.slice(0, 1000).map((h) => h.id), hosts.slice(1000, 2000).map((h) => h.id)]);
    expect(outcomes).toHaveLength(3000);
    expect(new Set(outcomes.map((o) => o.hostId)).size).toBe(3000);
    expect(outcomes.filter((o) => o.status === 'OK')).toHaveLength(3000);
  });

  it('splits -i 0 sweeps in equal parts and -i ≥ 1 sweeps with a short tail', () => {
    expect(tailShare({ intervalMs: 0, count: 1 })).toBe(0.5);
    expect(tailShare({ intervalMs: 1, count: 1 })).toBeCloseTo(0.091, 2);
    expect(tailShare({ intervalMs: 100, count: 3 })).toBe(0.05);
    const ten = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(splitSweep(ten, 0.5, 2)).toEqual([
      [1, 2, 3, 4, 5],
      [6, 7, 8, 9, 10],
    ]);
    expect(splitSweep(ten, 0.5, 3)).toEqual([
      [1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10],
    ]);
    expect(splitSweep(ten, 0.2, 3)).toEqual([
      [1, 2, 3, 4, 5, 6, 7, 8],
      [9, 10],
    ]);
  });

  it('rejects inconsistent thresholds', () => {
    expect(pingCheck.params.safeParse({ warnLossPct: 50, critLossPct: 20 }).success).toBe(false);
    expect(pingCheck.params.safeParse({ warnRttMs: 50, critRttMs: 20 }).success).toBe(false);
    expect(pingCheck.params.safeParse({}).success).toBe(true);
  });
});

describe.runIf(isRoot() && hasPeers('ip', 'fping'))('ping check against hosts in network namespaces', () => {
  let lab: NetnsLab;
  let hosts: HostTarget[];
  beforeAll(async () => {
    lab = await createNetnsLab(2);
    hosts = lab.hosts.map((h, i) => target(`ns${i}`, h.address));
  });
  afterAll(async () => {
    await lab?.cleanup();
  });

  const sweep = async () => byHost(await pingCheck.run(hosts, params(), checkContext(5000)));

  it('a host in a namespace answers: OK', async () => {
    const o = await sweep();
    expect(o.get(hosts[0]!.id)).toMatchObject({ status: 'OK', metrics: expect.objectContaining({ loss_pct: 0 }) });
    expect(o.get(hosts[1]!.id)?.status).toBe('OK');
  });

  it('its link down: CRIT with 100% loss, on time, while the other host stays OK', async () => {
    await lab.setLinkUp(0, false);
    const started = Date.now();
    const o = await sweep();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(o.get(hosts[0]!.id)).toMatchObject({
      status: 'CRIT',
      summary: '100% loss (no reply to 3 probes)',
      metrics: { loss_pct: 100 },
    });
    expect(o.get(hosts[1]!.id)?.status).toBe('OK');
  });

  it('its link up again: OK', async () => {
    await lab.setLinkUp(0, true);
    const o = await sweep();
    expect(o.get(hosts[0]!.id)?.status).toBe('OK');
    expect(o.get(hosts[0]!.id)?.metrics?.rtt_avg_ms).toBeGreaterThan(0);
  });
});
