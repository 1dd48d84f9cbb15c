/**
 * Starting a process blocks the event loop of the process that starts it (fork/exec copies its page
 * tables: ~20 ms each from a process holding 500 MB, as a server with PGlite does). Commands start in
 * the command launcher, a small process of its own, a few per loop turn there: timers, HTTP and
 * websockets keep running in the server while hundreds of processes start.
 */
import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { commandLauncherPids, runCommand } from '../../src/core/command.js';
import { worstLoopGap } from '../helpers/loop-gap.js';
import { waitFor } from '../helpers/peers.js';

describe('starting commands', () => {
  it('300 commands started at once all run, and the loop never stands still for long', async () => {
    const { result: results, worstGapMs: worstGap, tookMs: took } = await worstLoopGap(() =>
      Promise.all(Array.from({ length: 300 }, (_, i) => runCommand('/bin/echo', [`run ${i}`], { timeoutMs: 30_000 }))),
    );
    expect(results.every((r, i) => r.code === 0 && r.stdout === `run ${i}\n`)).toBe(true);
    // All 300 spawned in one turn held the loop for most of the run (measured: 100+ ms here).
    expect(worstGap, `300 commands in ${took.toFixed(0)} ms, worst timer gap ${worstGap.toFixed(1)} ms`).toBeLessThan(Math.max(25, took / 5));
  });

  it('a process holding 1 GB starts commands without its loop standing still', async () => {
    const held = Buffer.alloc(1024 * 1024 * 1024, 1); // touched: resident, as PGlite's memory is
    await runCommand('/bin/true', [], { timeoutMs: 10_000 }); // the launcher is up
    const { result, worstGapMs } = await worstLoopGap(() => Promise.all(Array.from({ length: 20 }, () => runCommand('/bin/true', [], { timeoutMs: 10_000 }))));
    expect(result.every((r) => r.code === 0)).toBe(true);
    // Started from this process, each start held its loop ~35 ms here (two per turn: ~70 ms).
    expect(worstGapMs, `worst timer gap ${worstGapMs.toFixed(1)} ms`).toBeLessThan(25);
    expect(held.length).toBeGreaterThan(0);
  });

  it('a burst of commands is shared by one launcher per core (at most 4), started as they are needed', async () => {
    const launchers = Math.min(4, availableParallelism());
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => runCommand('/bin/echo', [`burst ${i}`], { timeoutMs: 30_000 })));
    expect(results.every((r, i) => r.code === 0 && r.stdout === `burst ${i}\n`)).toBe(true);
    expect(commandLauncherPids()).toHaveLength(launchers);
    expect(new Set(commandLauncherPids()).size).toBe(launchers);
  });

  it('a launcher that dies fails its running commands readably, and the next command starts a new one', async () => {
    const running = runCommand('/bin/sleep', ['3'], { timeoutMs: 10_000 });
    const pids = commandLauncherPids();
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGKILL');
    const r = await running;
    expect(r.spawnError).toBe('the command launcher exited');
    expect(r.code).toBeNull();
    await waitFor(() => commandLauncherPids().every((pid) => !pids.includes(pid)), 5000, 'the killed launchers gone');
    const next = await runCommand('/bin/echo', ['again'], { timeoutMs: 10_000 });
    expect(next).toMatchObject({ code: 0, stdout: 'again\n' });
    expect(commandLauncherPids().length).toBeGreaterThan(0);
    for (const pid of commandLauncherPids()) expect(pids).not.toContain(pid);
  });

  it('a stopped command is killed in the launcher: the abort answers at once, not at the timeout', async () => {
    const stop = new AbortController();
    const started = performance.now();
    const running = runCommand('/bin/sleep', ['5'], { timeoutMs: 10_000, signal: stop.signal });
    setTimeout(() => stop.abort(), 200);
    const r = await running;
    expect(r.timedOut).toBe(true);
    expect(performance.now() - started).toBeLessThan(2_000);
  });
});
