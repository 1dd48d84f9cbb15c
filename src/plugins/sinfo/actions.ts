/**
 * Action kinds `slurm.drain`, `slurm.resume`, `slurm.reboot`. Authorisation, audit, dry runs and
 * bulk limits are the core's; these only act and read the result back (one sinfo run for all
 * targets), so the outcome says the state Slurm now reports, not just that scontrol exited 0.
 */
import { z } from 'zod';
import type { ActionContext, ActionKind, ActionOutcome, HostTarget } from '../../core/plugin.js';
import { slurmNodeNameOf } from './check.js';
import { getSlurmView, type SlurmNodeView } from './live.js';
import { MAX_REASON, reasonProblem } from './node-name.js';
import { nodeStateLabel } from './node-state.js';
import type { SlurmClientOptions } from './options.js';
import { REBOOT_NEXT_STATES, type ScontrolOutcome, slurmDrain, slurmReboot, slurmResume } from './scontrol.js';

const reason = z
  .string()
  .max(MAX_REASON)
  .superRefine((r, ctx) => {
    const problem = reasonProblem(r);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

export const slurmDrainParams = z.object({ reason }).strict();
export const slurmResumeParams = z.object({}).strict();
export const slurmRebootParams = z
  .object({ reason, nextState: z.enum(REBOOT_NEXT_STATES).default('RESUME') })
  .strict();

// Just after a resume Slurm shows the node not responding (idle*) for up to about a second.
const SETTLE_MS = 3000;

/**
 * Outcomes per target, with the node's state read back where the command succeeded. With
 * `settle`, reads again for a moment while a node still shows the transient not-responding flag.
 */
async function withReadBack(
  targets: HostTarget[],
  results: ScontrolOutcome[],
  client: SlurmClientOptions,
  ctx: ActionContext,
  settle = false,
): Promise<ActionOutcome[]> {
  const okNames = results.filter((r) => r.ok).map((r) => r.node);
  let view: Map<string, SlurmNodeView> | undefined;
  const until = Date.now() + SETTLE_MS;
  while (okNames.length > 0) {
    try {
      view = await getSlurmView(okNames, ctx.run, { ...client, signal: ctx.signal });
    } catch (e) {
      ctx.log.warn('slurm read-back failed', { error: (e as Error).message });
      break;
    }
    const unsettled = [...view.values()].some((v) => v.flags.includes('NOT_RESPONDING'));
    if (!settle || !unsettled || Date.now() > until || ctx.signal.aborted) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return targets.map((t, i) => {
    const r = results[i] as ScontrolOutcome; // slurm* return one outcome per input, in order
    const v = r.ok ? view?.get(r.node) : undefined;
    if (!v) return { hostId: t.id, ok: r.ok, message: r.message };
    return {
      hostId: t.id,
      ok: true,
      message: `${r.message}; Slurm reports ${nodeStateLabel(v.state)}`,
      details: { state: v.state, reason: v.reason, reasonUser: v.reasonUser, reasonTime: v.reasonTime?.toISOString() ?? null },
    };
  });
}

export function createSlurmActions(client: SlurmClientOptions): Record<string, ActionKind<any>> {
  const drain: ActionKind<z.infer<typeof slurmDrainParams>> = {
    description: 'Drain Slurm nodes: running jobs finish, no new jobs start; the reason shows in sinfo -R',
    params: slurmDrainParams,
    minRole: 'operator',
    dangerous: true,
    describe: (t, p) => `would drain Slurm node ${slurmNodeNameOf(t)} with reason ${JSON.stringify(p.reason)}`,
    async run(targets, p, ctx) {
      const names = targets.map(slurmNodeNameOf);
      const results = await slurmDrain(names, p.reason, ctx.run, { ...client, signal: ctx.signal });
      return withReadBack(targets, results, client, ctx);
    },
  };
  const resume: ActionKind<z.infer<typeof slurmResumeParams>> = {
    description: 'Resume Slurm nodes: clear drain/down and its reason so jobs are scheduled again',
    params: slurmResumeParams,
    minRole: 'operator',
    dangerous: false,
    describe: (t) => `would resume Slurm node ${slurmNodeNameOf(t)}`,
    async run(targets, _p, ctx) {
      const names = targets.map(slurmNodeNameOf);
      const results = await slurmResume(names, ctx.run, { ...client, signal: ctx.signal });
      return withReadBack(targets, results, client, ctx, true);
    },
  };
  const reboot: ActionKind<z.infer<typeof slurmRebootParams>> = {
    description: 'Reboot Slurm nodes as soon as their jobs end (scontrol reboot ASAP), then resume or stay down',
    params: slurmRebootParams,
    minRole: 'operator',
    dangerous: true,
    describe: (t, p) =>
      `would reboot Slurm node ${slurmNodeNameOf(t)} once idle, then ${p.nextState.toLowerCase()}, reason ${JSON.stringify(p.reason)}`,
    async run(targets, p, ctx) {
      const names = targets.map(slurmNodeNameOf);
      const results = await slurmReboot(names, p, ctx.run, { ...client, signal: ctx.signal });
      return withReadBack(targets, results, client, ctx);
    },
  };
  return { 'slurm.drain': drain, 'slurm.resume': resume, 'slurm.reboot': reboot };
}
