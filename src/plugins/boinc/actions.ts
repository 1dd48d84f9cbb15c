/**
 * BOINC actions, each on one host or many with one outcome per host.
 *
 * `dangerous` is fixed per kind (the core decides reason/audit/bulk limits from the kind alone),
 * so ops that destroy work get kinds of their own: detaching or resetting a project throws away
 * its tasks and files, and aborting a task throws away its computation — those need a reason and
 * an audit trail. Changing a mode, updating/suspending a project or suspending a task is undone
 * with one click, so an operator can do it without ceremony.
 */
import { z } from 'zod';
import type { ActionContext, ActionKind, ActionOutcome, HostTarget } from '../../core/plugin.js';
import { type BoincClientPool, defaultBoincPool } from './client-pool.js';
import { mapLimit } from './concurrency.js';
import { errorSummary } from './describe-error.js';
import { BoincError, asBoincError } from './errors.js';
import type { BoincClient, ProjectOp, TaskOp } from './rpc-client.js';
import { endpointFor } from './settings.js';

const CONCURRENCY = 16;

// Values placed into request XML: printable, bounded, escaped by the client.
const printable = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((s) => !/[\x00-\x1f\x7f]/.test(s), 'must not contain control characters');
const projectUrl = printable(512).refine((s) => /^https?:\/\//i.test(s), 'must be an http(s) project URL');
const taskName = printable(256);

export const boincModeParams = z.object({
  what: z.enum(['run', 'gpu', 'network']),
  mode: z.enum(['always', 'auto', 'never', 'restore']),
  /** Temporary: the previous mode returns after this many seconds. Omit for a permanent change. */
  durationS: z.number().int().min(1).max(366 * 86400).optional(),
});
export const boincProjectParams = z.object({
  url: projectUrl,
  op: z.enum(['update', 'suspend', 'resume', 'nomorework', 'allowmorework']),
});
export const boincProjectRemoveParams = z.object({ url: projectUrl, op: z.enum(['detach', 'reset']) });
export const boincTaskParams = z.object({ projectUrl, name: taskName, op: z.enum(['suspend', 'resume']) });
export const boincTaskAbortParams = z.object({ projectUrl, name: taskName });

type ModeParams = z.infer<typeof boincModeParams>;
type ProjectParams = { url: string; op: ProjectOp };
type TaskParams = { projectUrl: string; name: string; op: TaskOp };

/** Runs `act` on every target through the pool; failures become ok:false outcomes with a readable message. */
function runOnTargets(
  pool: BoincClientPool,
  targets: HostTarget[],
  ctx: ActionContext,
  act: (c: BoincClient) => Promise<{ message: string; details?: Record<string, unknown> }>,
): Promise<ActionOutcome[]> {
  return mapLimit(targets, CONCURRENCY, async (t) => {
    let hasPassword = false;
    try {
      const endpoint = endpointFor(t);
      hasPassword = endpoint.password !== undefined;
      const r = await pool.use(endpoint, act);
      return { hostId: t.id, ok: true, ...r };
    } catch (e) {
      // Invalid settings arrive as a plain Error; everything from the wire is a BoincError.
      const message = e instanceof BoincError || !(e instanceof Error) ? errorSummary(asBoincError(e), hasPassword) : e.message;
      ctx.log.debug('boinc action failed', { host: t.name, message });
      return { hostId: t.id, ok: false, message };
    }
  });
}

async function projectReadBack(c: BoincClient, url: string, signal: AbortSignal) {
  const p = (await c.getProjectStatus(signal)).find((x) => x.url === url);
  return p
    ? { attached: true, suspended: p.suspended, dontRequestMoreWork: p.dontRequestMoreWork }
    : { attached: false };
}

async function taskReadBack(c: BoincClient, url: string, name: string, signal: AbortSignal) {
  const t = (await c.getResults(false, signal)).find((x) => x.name === name && x.projectUrl === url);
  return t ? { state: t.state } : { state: 'gone' };
}

function projectAction(pool: BoincClientPool) {
  return (targets: HostTarget[], p: ProjectParams, ctx: ActionContext) =>
    runOnTargets(pool, targets, ctx, async (c) => {
      await c.projectOp(p.url, p.op, ctx.signal);
      const details = await projectReadBack(c, p.url, ctx.signal);
      const state = !details.attached
        ? 'no longer attached'
        : `${details.suspended ? 'suspended' : 'active'}, ${details.dontRequestMoreWork ? 'no new work' : 'accepting work'}`;
      return { message: `project ${p.op} done: ${state}`, details };
    });
}

function taskAction(pool: BoincClientPool) {
  return (targets: HostTarget[], p: TaskParams, ctx: ActionContext) =>
    runOnTargets(pool, targets, ctx, async (c) => {
      await c.taskOp(p.projectUrl, p.name, p.op, ctx.signal);
      const details = await taskReadBack(c, p.projectUrl, p.name, ctx.signal);
      return { message: `task ${p.name}: ${p.op} done, now ${details.state}`, details };
    });
}

// ActionKind<any>: the record holds kinds with different param types, as Plugin.actions does.
export function createBoincActions(pool: BoincClientPool = defaultBoincPool): Record<string, ActionKind<any>> {
  const mode: ActionKind<ModeParams> = {
    description: 'Set the BOINC run, GPU or network mode (always/auto/never, or restore), optionally for a while',
    params: boincModeParams,
    minRole: 'operator',
    dangerous: false,
    describe: (t, p) =>
      `would set ${p.what} mode of ${t.name} to ${p.mode}${p.durationS ? ` for ${p.durationS} s` : ''}`,
    run: (targets, p, ctx) =>
      runOnTargets(pool, targets, ctx, async (c) => {
        await c.setMode(p.what, p.mode, p.durationS ?? 0, ctx.signal);
        const cc = await c.getCcStatus(ctx.signal);
        const now = { run: cc.taskMode, gpu: cc.gpuMode, network: cc.networkMode }[p.what];
        const delay = { run: cc.taskModeDelayS, gpu: cc.gpuModeDelayS, network: cc.networkModeDelayS }[p.what];
        return {
          message: `${p.what} mode is now ${now}${delay > 0 ? ` for ${Math.round(delay)} s` : ''}`,
          details: { mode: now, temporaryForS: Math.round(delay) },
        };
      }),
  };
  const project: ActionKind<ProjectParams> = {
    description: 'BOINC project operation: update, suspend, resume, no more work, allow more work',
    params: boincProjectParams as z.ZodType<ProjectParams>,
    minRole: 'operator',
    dangerous: false,
    describe: (t, p) => `would ${p.op} project ${p.url} on ${t.name}`,
    run: projectAction(pool),
  };
  const projectRemove: ActionKind<ProjectParams> = {
    description: 'BOINC project detach or reset: discards the project’s tasks and files on the host',
    params: boincProjectRemoveParams as z.ZodType<ProjectParams>,
    minRole: 'operator',
    dangerous: true,
    describe: (t, p) => `would ${p.op} project ${p.url} on ${t.name}, discarding its work there`,
    run: projectAction(pool),
  };
  const task: ActionKind<TaskParams> = {
    description: 'Suspend or resume one BOINC task',
    params: boincTaskParams as z.ZodType<TaskParams>,
    minRole: 'operator',
    dangerous: false,
    describe: (t, p) => `would ${p.op} task ${p.name} on ${t.name}`,
    run: taskAction(pool),
  };
  const taskAbort: ActionKind<TaskParams> = {
    description: 'Abort one BOINC task: its computation so far is lost',
    params: boincTaskAbortParams.transform((p) => ({ ...p, op: 'abort' as const })) as z.ZodType<TaskParams>,
    minRole: 'operator',
    dangerous: true,
    describe: (t, p) => `would abort task ${p.name} on ${t.name}, losing its computation`,
    run: taskAction(pool),
  };
  return {
    'boinc.mode': mode,
    'boinc.project': project,
    'boinc.project-remove': projectRemove,
    'boinc.task': task,
    'boinc.task-abort': taskAbort,
  };
}
