/**
 * The `boinc` check: OK when the client answers and computes as configured; WARN when computing
 * is suspended for a reason the host's preferences do not explain, the run mode is not the
 * expected one, or tasks are erroring; CRIT when unreachable, refused or not authorised;
 * UNKNOWN when the peer answers something that is not the GUI RPC protocol.
 */
import { z } from 'zod';
import type { CheckKind, CheckOutcome } from '../../core/plugin.js';
import { type BoincClientPool, defaultBoincPool } from './client-pool.js';
import { mapLimit } from './concurrency.js';
import { errorStatus, errorSummary } from './describe-error.js';
import { asBoincError } from './errors.js';
import { endpointFor } from './settings.js';
import {
  PREFERENCE_SUSPEND_REASONS,
  SUSPEND_REASON_NAMES,
  SUSPEND_REASONS,
  suspendReasonName,
} from './suspend-reasons.js';
import type { BoincTask, CcStatus } from './types.js';

export const boincCheckParams = z.object({
  /** Expected run mode; unset means any mode, as long as computing is not suspended unexpectedly. */
  runMode: z.enum(['always', 'auto', 'never']).optional(),
  /** More tasks than this in error (not yet reported) gives WARN. */
  maxErrorTasks: z.number().int().min(0).default(0),
  /** Suspend reasons that count as "computing as configured". Default: those set by preferences. */
  expectedSuspendReasons: z.array(z.enum(SUSPEND_REASON_NAMES)).default(PREFERENCE_SUSPEND_REASONS),
});
export type BoincCheckParams = z.infer<typeof boincCheckParams>;

const CONCURRENCY = 16;

/** Builds the check on a given pool (tests pass their own, with short backoffs). */
export function createBoincCheck(pool: BoincClientPool = defaultBoincPool): CheckKind<BoincCheckParams> {
  return {
    description: 'BOINC client: reachable over GUI RPC, computing as configured, no erroring tasks',
    params: boincCheckParams,
    defaults: { intervalS: 120, timeoutS: 20 },
    run: (targets, params, ctx) =>
      mapLimit(targets, CONCURRENCY, async (t): Promise<CheckOutcome> => {
        const started = performance.now();
        const done = (o: Omit<CheckOutcome, 'hostId' | 'durationMs'>): CheckOutcome => ({
          hostId: t.id,
          durationMs: Math.round(performance.now() - started),
          ...o,
        });
        let endpoint: ReturnType<typeof endpointFor>;
        try {
          endpoint = endpointFor(t, ctx.timeoutMs);
        } catch (e) {
          return done({ status: 'UNKNOWN', summary: (e as Error).message });
        }
        try {
          const r = await pool.use(endpoint, async (c) => ({
            cc: await c.getCcStatus(ctx.signal),
            tasks: await c.getResults(false, ctx.signal),
            version: await c.getVersion(ctx.signal),
          }));
          const v = r.version;
          return done(judge(r.cc, r.tasks, params, `BOINC ${v.major}.${v.minor}.${v.release}`));
        } catch (e) {
          const err = asBoincError(e);
          ctx.log.debug('boinc check failed', { host: t.name, code: err.code });
          return done({ status: errorStatus(err), summary: errorSummary(err, endpoint.password !== undefined) });
        }
      }),
  };
}

function judge(
  cc: CcStatus,
  tasks: BoincTask[],
  params: BoincCheckParams,
  version: string,
): Omit<CheckOutcome, 'hostId' | 'durationMs'> {
  const count = (s: BoincTask['state']) => tasks.filter((t) => t.state === s).length;
  const executing = count('executing');
  const errors = count('error');
  const problems: string[] = [];
  if (params.runMode && cc.taskMode !== params.runMode) {
    problems.push(`run mode is ${cc.taskMode}, expected ${params.runMode}`);
  }
  const reason = cc.taskSuspendReason;
  const expected =
    params.runMode === 'never' ||
    params.expectedSuspendReasons.some((n) => SUSPEND_REASONS[n] === reason);
  if (reason !== 0 && !expected) {
    const why = suspendReasonName(reason).replace(/_/g, ' ');
    problems.push(`computing suspended (${why}${cc.taskMode === 'never' ? ', run mode never' : ''})`);
  } else if (!params.runMode && cc.taskMode === 'never') {
    // Just after set_run_mode the suspend reason lags a moment; the mode alone already says it.
    problems.push('computing suspended (run mode never)');
  }
  if (errors > params.maxErrorTasks) problems.push(`${errors} task${errors === 1 ? '' : 's'} in error`);
  const state = reason === 0 ? 'computing' : `suspended (${suspendReasonName(reason).replace(/_/g, ' ')})`;
  const counts = `${tasks.length} tasks: ${executing} executing, ${count('waiting')} waiting, ${count('ready_to_report')} ready to report, ${errors} in error`;
  return {
    status: problems.length > 0 ? 'WARN' : 'OK',
    summary:
      problems.length > 0
        ? `${problems.join('; ')} — ${version}, ${counts}`
        : `${version} ${state}, run mode ${cc.taskMode}; ${counts}`,
    metrics: {
      tasks: tasks.length,
      tasks_executing: executing,
      tasks_error: errors,
      tasks_suspended: count('suspended'),
      suspend_reason: reason,
    },
  };
}

