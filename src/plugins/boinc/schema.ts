/** GraphQL for BOINC: Host.boinc (asked live, answered at once for hosts in backoff) and the fleet actions. */
import type { Builder, HostShape, SchemaRefs } from '../../schema/plugin-api.js';
import type { BoincClientPool } from './client-pool.js';
import { type BoincView, type BoincViewMessage, type BoincViewProject, type BoincViewTask, getBoincView } from './live.js';

export function createBoincSchema(pool: BoincClientPool) {
  // Requests for the same client at the same moment (a dashboard's panels, several browser tabs)
  // share one fetch; a settled view is never reused, so "reachable" is always current.
  const recent = new Map<string, Promise<BoincView>>();
  const cachedView = (key: string, load: () => Promise<BoincView>): Promise<BoincView> => {
    let view = recent.get(key);
    if (!view) {
      view = load().finally(() => recent.delete(key));
      recent.set(key, view);
    }
    return view;
  };
  return (builderArg: unknown, refsArg: unknown): void => {
    const builder = builderArg as Builder;
    const refs = refsArg as SchemaRefs;

    const Project = builder.objectRef<BoincViewProject>('BoincProject').implement({
      fields: (t) => ({
        url: t.exposeString('url'),
        name: t.exposeString('name'),
        userCredit: t.exposeFloat('userCredit'),
        hostCredit: t.exposeFloat('hostCredit'),
        suspended: t.exposeBoolean('suspended'),
        dontRequestMoreWork: t.exposeBoolean('dontRequestMoreWork'),
      }),
    });
    const Task = builder.objectRef<BoincViewTask>('BoincTask').implement({
      fields: (t) => ({
        name: t.exposeString('name'),
        projectUrl: t.exposeString('projectUrl'),
        projectName: t.exposeString('projectName'),
        state: t.exposeString('state', { description: 'downloading, waiting, executing, suspended, uploading, ready_to_report, reported, error, aborted' }),
        fractionDone: t.exposeFloat('fractionDone'),
        elapsedS: t.exposeFloat('elapsedS'),
        remainingS: t.exposeFloat('remainingS'),
        deadline: t.field({ type: 'DateTime', nullable: true, resolve: (x) => x.deadline }),
      }),
    });
    const Message = builder.objectRef<BoincViewMessage>('BoincMessage').implement({
      fields: (t) => ({
        seqno: t.exposeInt('seqno'),
        time: t.field({ type: 'DateTime', nullable: true, resolve: (m) => m.time }),
        project: t.exposeString('project'),
        priority: t.exposeInt('priority'),
        body: t.exposeString('body'),
      }),
    });
    const HostBoinc = builder.objectRef<BoincView>('HostBoinc').implement({
      description: 'The BOINC client on this host, asked now (cached briefly); reachable:false at once while the host is in backoff.',
      fields: (t) => ({
        reachable: t.exposeBoolean('reachable'),
        lastSeenAt: t.field({ type: 'DateTime', nullable: true, resolve: (v) => v.lastSeenAt }),
        error: t.exposeString('error', { nullable: true }),
        version: t.exposeString('version', { nullable: true }),
        runMode: t.string({ nullable: true, resolve: (v) => v.runMode ?? null }),
        gpuMode: t.string({ nullable: true, resolve: (v) => v.gpuMode ?? null }),
        networkMode: t.string({ nullable: true, resolve: (v) => v.networkMode ?? null }),
        suspendReason: t.exposeString('suspendReason', { nullable: true }),
        projects: t.field({ type: [Project], resolve: (v) => v.projects }),
        tasks: t.field({ type: [Task], resolve: (v) => v.tasks }),
        messages: t.field({ type: [Message], resolve: (v) => v.messages }),
      }),
    });

    builder.objectField(refs.Host, 'boinc', (t) =>
      t.field({
        type: HostBoinc,
        nullable: true,
        description: 'Null when the host has no BOINC settings.',
        resolve: async (h: HostShape, _a, ctx) => {
          const target = await refs.target(ctx, h, 'boinc');
          if (!target.settings) return null;
          // Keyed by the settings too: a changed password or port is asked at once, not after the TTL.
          return cachedView(`${h.id}:${JSON.stringify(target.settings)}`, () => getBoincView(target, pool));
        },
      }),
    );

    const ModeTarget = builder.enumType('BoincModeTarget', { values: ['RUN', 'GPU', 'NETWORK'] as const });
    const Mode = builder.enumType('BoincMode', { values: ['ALWAYS', 'AUTO', 'NEVER', 'RESTORE'] as const });
    const ProjectOp = builder.enumType('BoincProjectOp', { values: ['UPDATE', 'SUSPEND', 'RESUME', 'NOMOREWORK', 'ALLOWMOREWORK', 'DETACH', 'RESET'] as const });
    const TaskOp = builder.enumType('BoincTaskOp', { values: ['SUSPEND', 'RESUME', 'ABORT'] as const });

    // A view fetched while an action ran must not be shared with requests after it.
    const acted = <T>(p: Promise<T>): Promise<T> => p.finally(() => recent.clear());

    builder.mutationFields((t) => ({
      boincSetMode: t.field({
        type: refs.BulkResult,
        description: 'Sets the run, GPU or network mode on every target, optionally for durationS seconds.',
        authScopes: { operator: true },
        args: {
          hosts: t.arg.stringList({ required: true }),
          what: t.arg({ type: ModeTarget, required: true }),
          mode: t.arg({ type: Mode, required: true }),
          durationS: t.arg.int({ required: false }),
          reason: t.arg.string({ required: false }),
          dryRun: t.arg.boolean({ required: false }),
        },
        resolve: (_r, a, ctx) =>
          acted(refs.runAction(ctx, {
            actionId: 'boinc.mode',
            hosts: [...a.hosts],
            params: { what: a.what.toLowerCase(), mode: a.mode.toLowerCase(), ...(a.durationS != null ? { durationS: a.durationS } : {}) },
            reason: a.reason,
            dryRun: a.dryRun,
          })),
      }),
      boincProjectOp: t.field({
        type: refs.BulkResult,
        description: 'A project operation on every target; DETACH and RESET throw work away and need a reason.',
        authScopes: { operator: true },
        args: {
          hosts: t.arg.stringList({ required: true }),
          url: t.arg.string({ required: true }),
          op: t.arg({ type: ProjectOp, required: true }),
          reason: t.arg.string({ required: false }),
          dryRun: t.arg.boolean({ required: false }),
        },
        resolve: (_r, a, ctx) => {
          const remove = a.op === 'DETACH' || a.op === 'RESET';
          return acted(refs.runAction(ctx, {
            actionId: remove ? 'boinc.project-remove' : 'boinc.project',
            hosts: [...a.hosts],
            params: { url: a.url, op: a.op.toLowerCase() },
            reason: a.reason,
            dryRun: a.dryRun,
          }));
        },
      }),
      boincTaskOp: t.field({
        type: refs.BulkResult,
        description: 'Suspends, resumes or aborts one task on every target; ABORT needs a reason.',
        authScopes: { operator: true },
        args: {
          hosts: t.arg.stringList({ required: true }),
          projectUrl: t.arg.string({ required: true }),
          task: t.arg.string({ required: true }),
          op: t.arg({ type: TaskOp, required: true }),
          reason: t.arg.string({ required: false }),
          dryRun: t.arg.boolean({ required: false }),
        },
        resolve: (_r, a, ctx) =>
          acted(a.op === 'ABORT'
            ? refs.runAction(ctx, { actionId: 'boinc.task-abort', hosts: [...a.hosts], params: { projectUrl: a.projectUrl, name: a.task }, reason: a.reason, dryRun: a.dryRun })
            : refs.runAction(ctx, { actionId: 'boinc.task', hosts: [...a.hosts], params: { projectUrl: a.projectUrl, name: a.task, op: a.op.toLowerCase() }, reason: a.reason, dryRun: a.dryRun })),
      }),
    }));
  };
}
