/**
 * Check kind `slurm`: what `sinfo -RSE` tells (state, reason, who, when) for every target, from
 * ONE sinfo run per sweep. A target is matched by its `slurm_node` label, else by its name.
 * A dead controller gives every target UNKNOWN with the reason instead of a throw, since the
 * sweep did measure something: Slurm's own view is unavailable.
 */
import { z } from 'zod';
import type { CheckContext, CheckKind, CheckOutcome, HostTarget } from '../../core/plugin.js';
import { type SlurmNodeView, toSlurmNodeView } from './live.js';
import { nodeStateLabel, statusOfNodeState } from './node-state.js';
import type { SlurmClientOptions } from './options.js';
import { readSinfoNodes } from './sinfo-json.js';

export const SLURM_NODE_LABEL = 'slurm_node';

export const slurmCheckParams = z.object({}).strict();
export type SlurmCheckParams = z.infer<typeof slurmCheckParams>;

export function slurmNodeNameOf(target: HostTarget): string {
  const label = target.labels[SLURM_NODE_LABEL];
  return label && label.trim() !== '' ? label.trim() : target.name;
}

function stamp(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

/** One line: `drained: "disk errors" (by alice at 2026-11-23T13:13:55Z)`, or `idle`. */
export function slurmSummary(v: SlurmNodeView): string {
  let line = nodeStateLabel(v.state);
  if (v.reason) {
    const who = [v.reasonUser && `by ${v.reasonUser}`, v.reasonTime && `at ${stamp(v.reasonTime)}`].filter(Boolean);
    line += `: ${JSON.stringify(v.reason)}${who.length ? ` (${who.join(' ')})` : ''}`;
  }
  if (v.busy && v.state !== 'ALLOCATED' && v.state !== 'MIXED') line += ', jobs running';
  return line;
}

function metricsOf(v: SlurmNodeView): Record<string, number> {
  const m: Record<string, number> = { cpus: v.cpus, alloc_cpus: v.allocCpus, memory_mb: v.memoryMb };
  if (v.load !== null) m.load = v.load;
  return m;
}

export function createSlurmCheck(client: SlurmClientOptions): CheckKind<SlurmCheckParams> {
  return {
    description: 'Slurm node state with the drain/down reason, who set it and when (sinfo -RSE), one sinfo per sweep',
    params: slurmCheckParams,
    // sinfo needs ~9 s to report a dead controller: the timeout leaves room for that readable answer
    defaults: { intervalS: 60, timeoutS: 20 },
    async run(targets: HostTarget[], _params: SlurmCheckParams, ctx: CheckContext): Promise<CheckOutcome[]> {
      const started = performance.now();
      const elapsed = () => Math.round(performance.now() - started);
      if (targets.length === 0) return [];
      let byName: Map<string, SlurmNodeView>;
      try {
        // leave a little of the budget to build outcomes before the scheduler's own deadline
        const timeoutMs = Math.max(1000, ctx.timeoutMs - 500);
        const nodes = await readSinfoNodes(ctx.run, { ...client, timeoutMs, signal: ctx.signal });
        byName = new Map(nodes.map((n) => [n.name, toSlurmNodeView(n)]));
      } catch (e) {
        const summary = (e as Error).message;
        ctx.log.warn('slurm check could not read sinfo', { error: summary });
        return targets.map((t) => ({ hostId: t.id, status: 'UNKNOWN', summary, durationMs: elapsed() }));
      }
      return targets.map((t): CheckOutcome => {
        const name = slurmNodeNameOf(t);
        const v = byName.get(name);
        if (!v) {
          const summary = name === t.name ? 'not a Slurm node' : `not a Slurm node (${SLURM_NODE_LABEL}=${name})`;
          return { hostId: t.id, status: 'UNKNOWN', summary, durationMs: elapsed() };
        }
        return {
          hostId: t.id,
          status: statusOfNodeState(v.state),
          summary: slurmSummary(v),
          metrics: metricsOf(v),
          durationMs: elapsed(),
        };
      });
    },
  };
}
