/**
 * Capturing a command's stderr through an unlinked temporary file (CommandOptions.stderrToFile, as
 * fping runs): the same text as through a pipe, capped the same way, on time when the command hangs,
 * and no file left behind.
 */
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../src/core/command.js';

const leftovers = () => readdirSync(tmpdir()).filter((f) => f.startsWith('corral-out-'));
// 30,000 short lines, one write each: as fping -q reports.
const chatty = ['-c', 'i=0; while [ $i -lt 30000 ]; do echo "10.0.$i : 0.05" >&2; i=$((i+1)); done; echo done'];

describe('stderr through a file', () => {
  it('captures what a pipe captures, stdout still through its pipe, and leaves no file', async () => {
    const before = leftovers();
    const [viaFile, viaPipe] = await Promise.all([
      runCommand('/bin/sh', chatty, { timeoutMs: 60_000, stderrToFile: true }),
      runCommand('/bin/sh', chatty, { timeoutMs: 60_000 }),
    ]);
    expect(viaFile.code).toBe(0);
    expect(viaFile.stdout).toBe('done\n');
    expect(viaFile.stderr.split('\n')).toHaveLength(30_001);
    expect(viaFile.stderr).toBe(viaPipe.stderr);
    expect(leftovers()).toEqual(before);
  });

  it("the command's stderr is a file that is already deleted (no reader woken per write)", async () => {
    const viaFile = await runCommand('/bin/sh', ['-c', 'readlink /proc/$$/fd/2'], { timeoutMs: 5000, stderrToFile: true });
    expect(viaFile.stdout).toMatch(/corral-out-.* \(deleted\)\n$/);
    const viaPipe = await runCommand('/bin/sh', ['-c', 'readlink /proc/$$/fd/2'], { timeoutMs: 5000 });
    expect(viaPipe.stdout).toMatch(/^(pipe|socket):/); // node's 'pipe' is a socket pair
  });

  it('keeps no more than maxOutputBytes', async () => {
    const r = await runCommand('/bin/sh', chatty, { timeoutMs: 60_000, stderrToFile: true, maxOutputBytes: 1000 });
    expect(r.code).toBe(0);
    expect(r.stdout.length + r.stderr.length).toBeLessThanOrEqual(1000);
    expect(r.stderr.startsWith('10.0.0 : 0.05\n10.0.1 : 0.05\n')).toBe(true);
  });

  it('a command that hangs is killed on time, with what it wrote so far', async () => {
    const started = Date.now();
    const r = await runCommand('/bin/sh', ['-c', 'echo partial >&2; sleep 30'], { timeoutMs: 500, stderrToFile: true });
    expect(r.timedOut).toBe(true);
    expect(r.stderr).toBe('partial\n');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a program that does not exist is a spawn error, and leaves no file', async () => {
    const before = leftovers();
    const r = await runCommand('/nonexistent/fping', [], { timeoutMs: 5000, stderrToFile: true });
    expect(r.spawnError).toMatch(/ENOENT/);
    expect(leftovers()).toEqual(before);
  });
});
