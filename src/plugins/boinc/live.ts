/**
 * The live view of one host's BOINC client, for the GraphQL `Host.boinc` field. Never throws for
 * anything the peer does: an unreachable host (or one in backoff) answers at once with
 * reachable:false, the error, and when it was last seen.
 */
import type { HostTarget } from '../../core/plugin.js';
import { type BoincClientPool, defaultBoincPool } from './client-pool.js';
import { errorSummary } from './describe-error.js';
import { asBoincError, type BoincErrorCode } from './errors.js';
import { endpointFor } from './settings.js';
import { suspendReasonName } from './suspend-reasons.js';
import type { BoincModeState, TaskState } from './types.js';

export interface BoincViewProject {
  url: string;
  name: string;
  userCredit: number;
  hostCredit: number;
  suspended: boolean;
  dontRequestMoreWork: boolean;
}

export interface BoincViewTask {
  name: string;
  projectUrl: string;
  projectName: string;
  state: TaskState;
  /** 0..1; 1 for finished tasks. */
  fractionDone: number;
  elapsedS: number;
  remainingS: number;
  deadline: Date | null;
}

export interface BoincViewMessage {
  seqno: number;
  time: Date | null;
  project: string;
  /** 1 info, 2 user alert, 3 internal error. */
  priority: number;
  body: string;
}

export interface BoincView {
  reachable: boolean;
  lastSeenAt: Date | null;
  /** Why it is not reachable (or why a part could not be read), one line; null when all is well. */
  error: string | null;
  errorCode: BoincErrorCode | 'settings' | null;
  version: string | null;
  runMode: BoincModeState | null;
  gpuMode: BoincModeState | null;
  networkMode: BoincModeState | null;
  /** Why computing is suspended (e.g. "user_request"), null when computing. */
  suspendReason: string | null;
  projects: BoincViewProject[];
  tasks: BoincViewTask[];
  messages: BoincViewMessage[];
}

export interface BoincViewOptions {
  /** How many of the most recent event-log messages to include. Default 20. */
  messages?: number;
  signal?: AbortSignal;
}

const FINISHED: ReadonlySet<TaskState> = new Set(['uploading', 'ready_to_report', 'reported']);

export async function getBoincView(
  target: HostTarget,
  pool: BoincClientPool = defaultBoincPool,
  opts: BoincViewOptions = {},
): Promise<BoincView> {
  const empty = {
    version: null,
    runMode: null,
    gpuMode: null,
    networkMode: null,
    suspendReason: null,
    projects: [],
    tasks: [],
    messages: [],
  };
  let endpoint: ReturnType<typeof endpointFor>;
  try {
    endpoint = endpointFor(target);
  } catch (e) {
    return { reachable: false, lastSeenAt: null, error: (e as Error).message, errorCode: 'settings', ...empty };
  }
  const wanted = Math.max(0, Math.floor(opts.messages ?? 20));
  try {
    const view = await pool.use(endpoint, async (c) => {
      const state = await c.getState(opts.signal);
      const cc = await c.getCcStatus(opts.signal);
      const count = wanted > 0 ? await c.getMessageCount(opts.signal) : 0;
      const messages = wanted > 0 ? (await c.getMessages(Math.max(0, count - wanted), opts.signal)).slice(-wanted) : [];
      const names = new Map(state.projects.map((p) => [p.url, p.name]));
      const v = state.version;
      return {
        reachable: true,
        lastSeenAt: null as Date | null, // set from the pool below, so views and backoff agree
        error: null,
        errorCode: null,
        version: `${v.major}.${v.minor}.${v.release}`,
        runMode: cc.taskMode,
        gpuMode: cc.gpuMode,
        networkMode: cc.networkMode,
        suspendReason: cc.taskSuspendReason === 0 ? null : suspendReasonName(cc.taskSuspendReason),
        projects: state.projects.map((p) => ({
          url: p.url,
          name: p.name,
          userCredit: p.userCredit,
          hostCredit: p.hostCredit,
          suspended: p.suspended,
          dontRequestMoreWork: p.dontRequestMoreWork,
        })),
        tasks: state.tasks.map((t) => ({
          name: t.name,
          projectUrl: t.projectUrl,
          projectName: names.get(t.projectUrl) ?? '',
          state: t.state,
          fractionDone: t.active ? t.active.fractionDone : FINISHED.has(t.state) ? 1 : 0,
          elapsedS: t.active ? t.active.elapsedTimeS : t.finalElapsedTimeS,
          remainingS: t.estimatedCpuTimeRemainingS,
          deadline: t.reportDeadline,
        })),
        messages: messages.map((m) => ({
          seqno: m.seqno,
          time: m.time,
          project: m.project,
          priority: m.priority,
          body: m.body,
        })),
      };
    });
    return { ...view, lastSeenAt: pool.health(endpoint).lastSeenAt };
  } catch (e) {
    const err = asBoincError(e);
    return {
      reachable: false,
      lastSeenAt: pool.health(endpoint).lastSeenAt,
      error: errorSummary(err, endpoint.password !== undefined),
      errorCode: err.code === 'backoff' ? (err.extra.cause?.code ?? 'backoff') : err.code,
      ...empty,
    };
  }
}
