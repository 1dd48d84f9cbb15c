/**
 * The Slurm plugin's parsing and state rules without a cluster: a lying or broken sinfo (garbage,
 * truncated JSON, an `errors` entry, a hang, a missing binary) gives UNKNOWN with a readable
 * summary, never a throw; states fold the way sinfo prints them; names that could be options or
 * lists never pass.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommandResult, CommandRunner } from '../src/core/command.js';
import { createSlurmCheck } from '../src/plugins/sinfo/check.js';
import { normaliseNodeState, statusOfNodeState } from '../src/plugins/sinfo/node-state.js';
import { nodeNameProblem } from '../src/plugins/sinfo/scontrol.js';
import { parseSinfoJson } from '../src/plugins/sinfo/sinfo-json.js';
import { checkContext, target } from './helpers/check-context.js';

function fakeRunner(result: Partial<CommandResult>): CommandRunner & { calls: { file: string; env?: Record<string, string> }[] } {
  const calls: { file: string; env?: Record<string, string> }[] = [];
  const run = (async (file, _args, opts) => {
    calls.push({ file, env: opts.env });
    return { code: 0, stdout: '', stderr: '', timedOut: false, durationMs: 1, ...result };
  }) as CommandRunner & { calls: typeof calls };
  run.calls = calls;
  return run;
}

const node = (over: Record<string, unknown>) => ({
  name: 'n1',
  state: 'idle',
  state_flags: [],
  reason: '',
  reason_changed_at: 0,
  reason_set_by_user: null,
  partitions: ['p'],
  cpus: 4,
  alloc_cpus: 0,
  real_memory: 2000,
  cpu_load: 150,
  ...over,
});

describe('slurm check against a broken sinfo', () => {
  const cases: [string, Partial<CommandResult>, RegExp][] = [
    ['garbage', { stdout: '<html>proxy error</html>' }, /^sinfo output is not JSON: <html>/],
    ['truncated JSON', { stdout: '{"meta": {}, "errors": [], "nodes": [{"name": "n1", "sta' }, /^sinfo output is not JSON/],
    ['JSON without nodes', { stdout: '{"hello": 1}' }, /^sinfo JSON has no node list$/],
    [
      'a reported error (dead controller, exit 0)',
      { stdout: JSON.stringify({ errors: [{ error: 'Unspecified error', errno: -1 }], nodes: [] }) },
      /^slurmctld unreachable: Unspecified error \(errno -1\)$/,
    ],
    ['a hang', { code: null, timedOut: true }, /^slurmctld unreachable: sinfo gave no answer within \d+ s$/],
    ['no binary', { code: null, spawnError: 'spawn sinfo ENOENT' }, /^cannot run sinfo: spawn sinfo ENOENT$/],
    ['a failure on stderr', { code: 1, stderr: 'sinfo: fatal: Could not establish a configuration source\n' }, /^sinfo failed: sinfo: fatal: Could not/],
  ];
  for (const [what, result, summary] of cases) {
    it(`gives UNKNOWN for every target on ${what}`, async () => {
      const run = fakeRunner(result);
      const check = createSlurmCheck({ slurmConf: '/etc/corral/slurm.conf', binDir: '/opt/slurm/bin' });
      const targets = [target('n1', null), target('n2', null)];
      const out = await check.run(targets, {}, { ...checkContext(), run });
      expect(out.map((o) => [o.hostId, o.status])).toEqual(targets.map((t) => [t.id, 'UNKNOWN']));
      expect(out[0]?.summary).toMatch(summary);
      // the configured binary and SLURM_CONF reach the child, and only once per sweep
      expect(run.calls).toEqual([{ file: '/opt/slurm/bin/sinfo', env: { SLURM_CONF: '/etc/corral/slurm.conf' } }]);
    });
  }

  it('skips a node entry without a name and tolerates odd field types', () => {
    const nodes = parseSinfoJson(
      JSON.stringify({ errors: [], nodes: [{ state: 'idle' }, node({ cpus: 'many', partitions: null, reason: 7 })] }),
    );
    expect(nodes).toHaveLength(1);
    expect(nodes[0]).toMatchObject({ name: 'n1', cpus: 0, partitions: [], reason: '', load: 1.5 });
  });

  it('reads the newer data_parser shape (state array, wrapped numbers)', () => {
    const [n] = parseSinfoJson(
      JSON.stringify({
        errors: [],
        nodes: [node({ state: ['IDLE', 'DRAIN'], state_flags: undefined, reason: 'x', reason_changed_at: { set: true, number: 1700000000 } })],
      }),
    );
    expect(n).toMatchObject({ state: 'IDLE', stateFlags: ['DRAIN'], reasonChangedAt: 1700000000 });
  });
});

describe('slurm node states', () => {
  const table: [string, string[], string, string][] = [
    ['idle', [], 'IDLE', 'OK'],
    ['allocated', [], 'ALLOCATED', 'OK'],
    ['mixed', [], 'MIXED', 'OK'],
    ['idle', ['DRAIN'], 'DRAINED', 'WARN'],
    ['mixed', ['DRAIN'], 'DRAINING', 'WARN'],
    ['allocated', ['DRAIN'], 'DRAINING', 'WARN'],
    ['idle', ['COMPLETING', 'DRAIN'], 'DRAINING', 'WARN'],
    ['down', ['NOT_RESPONDING'], 'DOWN', 'CRIT'],
    ['down', ['DRAIN'], 'DOWN', 'CRIT'],
    ['idle', ['NOT_RESPONDING'], 'NOT_RESPONDING', 'CRIT'],
    ['idle', ['DRAIN', 'NOT_RESPONDING'], 'NOT_RESPONDING', 'CRIT'],
    ['idle', ['FAIL'], 'FAIL', 'CRIT'],
    ['allocated', ['FAIL'], 'FAILING', 'CRIT'],
    ['idle', ['RESERVED'], 'RESERVED', 'OK'],
    ['idle', ['MAINTENANCE'], 'MAINTENANCE', 'WARN'],
    ['idle', ['POWERED_DOWN'], 'POWERED_DOWN', 'OK'],
    ['alloc', [], 'ALLOCATED', 'OK'],
    ['mix*', [], 'MIXED', 'OK'],
    ['weird', [], 'UNKNOWN', 'UNKNOWN'],
  ];
  it.each(table)('%s %j → %s %s', (base, flags, state, status) => {
    const s = normaliseNodeState(base, flags);
    expect(s).toBe(state);
    expect(statusOfNodeState(s)).toBe(status);
  });
});

describe('slurm node names', () => {
  it('accepts plain names and refuses anything that could be an option, a list or a shell word', () => {
    for (const ok of ['node1', 'gpu-a100.rack3', 'n_01', 'X']) expect(nodeNameProblem(ok)).toBeNull();
    for (const bad of ['-x', '--help', 'a;b', 'a b', 'node[1-2]', 'a,b', 'a=b', '', 'ALL', 'all', 'n\n1', '$(id)']) {
      expect(nodeNameProblem(bad), bad).not.toBeNull();
    }
    fc.assert(
      fc.property(fc.string(), (s) => {
        const bad = s === '' || s.startsWith('-') || /[\s;,[\]=$`'"\\/|&]/.test(s);
        return !bad || nodeNameProblem(s) !== null;
      }),
    );
  });
});
