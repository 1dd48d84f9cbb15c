/**
 * Runs system tools (fping, ipmitool, sinfo, git …) with an argv array — never a shell.
 * Every run has a timeout; secrets go through `env` or `input`, never through argv (nor the
 * launcher's: they travel over its IPC pipe).
 *
 * Commands start in command launchers (./command-launcher.mjs), small processes forked once (one,
 * and up to one per core when commands queue): starting a process from the server itself held its
 * event loop for 15–35 ms each once PGlite's memory was in it. If no launcher can run, commands
 * start here, as before.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { runPaced } from './command-launcher.mjs';

export interface CommandOptions {
  timeoutMs: number;
  /** Extra environment variables (e.g. IPMI_PASSWORD); merged over a minimal PATH/LANG. */
  env?: Record<string, string>;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  signal?: AbortSignal;
  cwd?: string;
  /** Cap on captured stdout+stderr bytes, to survive a peer that floods. Default 8 MiB. */
  maxOutputBytes?: number;
  /**
   * Capture stderr through an unlinked temporary file instead of a pipe: for a tool that writes a
   * long report in tiny unbuffered writes (fping -q: three per target), each of which wakes a
   * pipe's reader. Only for tools bounded by their timeout (the file is not capped while written).
   */
  stderrToFile?: boolean;
}

export interface CommandResult {
  /** Exit code, or null when killed by a signal (timeout, abort). */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
  /** Set when the program could not be started at all (ENOENT …). */
  spawnError?: string;
}

export type CommandRunner = (file: string, args: readonly string[], options: CommandOptions) => Promise<CommandResult>;

const LAUNCHER_FILE = join(PROJECT_ROOT, 'src', 'core', 'command-launcher.mjs');
/**
 * Launchers run side by side when commands queue up: a start holds its launcher ~1.5 ms (fork,
 * then waiting for exec), so one launcher manages ~600 starts/s, short of what 2,000 hosts × 3 exec
 * checks every 10 s need. One per core, at most 4; a second starts only once one is busy.
 */
const MAX_LAUNCHERS = Math.max(1, Math.min(4, availableParallelism()));
/** Commands running in every launcher before one more is started. */
const BUSY_AT = 4;
/** A launcher slot whose process dies this many times is not started again; with none left, commands start in-process. */
const MAX_LAUNCHER_FAILURES = 3;
/** How long after a command's own timeout the server stops waiting for the launcher's answer. */
const ANSWER_GRACE_MS = 5_000;

interface Launcher {
  child: ChildProcess;
  pending: Map<number, (result: CommandResult) => void>;
  /** Lets the process exit while no command runs (an idle launcher keeps neither server nor CLI alive). */
  idle(): void;
}

/** One per launcher slot: the running launcher (if any) and how often that slot's process died. */
const slots: { launcher: Launcher | null; failures: number }[] = Array.from({ length: MAX_LAUNCHERS }, () => ({ launcher: null, failures: 0 }));
let nextId = 1;

function failed(message: string, started: number): CommandResult {
  return { code: null, stdout: '', stderr: '', timedOut: false, durationMs: performance.now() - started, spawnError: message };
}

function startLauncher(slot: (typeof slots)[number]): Launcher | null {
  let child: ChildProcess;
  try {
    // Nothing of the server's environment (database URL, admin password) but PATH.
    child = fork(LAUNCHER_FILE, [], {
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', CORRAL_COMMAND_LAUNCHER: '1' },
      execArgv: [],
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  } catch {
    slot.failures++;
    return null;
  }
  const idle = () => {
    child.unref();
    child.channel?.unref();
  };
  const current: Launcher = { child, pending: new Map(), idle };
  child.on('message', (m: { id: number; result: CommandResult }) => current.pending.get(m.id)?.(m.result));
  const gone = () => {
    if (slot.launcher === current) slot.launcher = null;
    slot.failures++;
    for (const done of current.pending.values()) done(failed('the command launcher exited', performance.now()));
    current.pending.clear();
  };
  child.once('exit', gone);
  child.once('error', () => {
    gone();
    child.kill();
  });
  idle();
  slot.launcher = current;
  return current;
}

/** The least busy launcher, starting one when all are busy (or none runs); null when none can run. */
function getLauncher(): Launcher | null {
  let best: Launcher | null = null;
  for (const slot of slots) if (slot.launcher?.child.connected && (!best || slot.launcher.pending.size < best.pending.size)) best = slot.launcher;
  if (best && best.pending.size < BUSY_AT) return best;
  const free = slots.find((slot) => !slot.launcher && slot.failures < MAX_LAUNCHER_FAILURES);
  return (free && startLauncher(free)) ?? best;
}

/** The pids of the running launchers (diagnostics, tests). */
export function commandLauncherPids(): number[] {
  return slots.flatMap((slot) => (slot.launcher?.child.pid ? [slot.launcher.child.pid] : []));
}

export const runCommand: CommandRunner = (file, args, options) => {
  const l = getLauncher();
  if (!l) return runPaced(file, args, options);
  const started = performance.now();
  const id = nextId++;
  const { signal, ...rest } = options;
  return new Promise<CommandResult>((resolve) => {
    const onAbort = () => void (l.child.connected && l.child.send({ id, abort: true }));
    const backstop = setTimeout(() => {
      onAbort();
      finish({ ...failed('the command launcher did not answer', started), timedOut: true, spawnError: undefined });
    }, options.timeoutMs + ANSWER_GRACE_MS);
    const finish = (result: CommandResult) => {
      clearTimeout(backstop);
      signal?.removeEventListener('abort', onAbort);
      l.pending.delete(id);
      if (l.pending.size === 0) l.idle();
      resolve(result);
    };
    l.pending.set(id, finish);
    l.child.ref();
    l.child.channel?.ref();
    l.child.send({ id, file, args: [...args], options: rest }, (e) => {
      if (e) finish(failed(`could not hand the command to the launcher: ${e.message}`, started));
    });
    // After the command: an abort that reached the launcher first would find nothing to stop.
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
  });
};
