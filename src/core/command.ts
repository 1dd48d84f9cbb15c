/**
 * Runs system tools (fping, ipmitool, sinfo, git …) with an argv array — never a shell.
 * Every run has a timeout; secrets go through `env` or `input`, never through argv.
 */
import { spawn } from 'node:child_process';

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

/**
 * Starting a process blocks the event loop (~0.7 ms each here: the server's memory is mapped into
 * the child). 2,000 hosts × 3 exec checks finish and restart in bursts, and a burst of spawns in one
 * loop turn held the loop for ~80 ms; at most this many start per turn, the rest in the next turns.
 */
const SPAWNS_PER_TURN = 2;
let spawnedThisTurn = 0;
let nextTurn: Promise<void> | null = null;

function turnOver(): Promise<void> {
  nextTurn ??= new Promise<void>((resolve) =>
    setImmediate(() => {
      spawnedThisTurn = 0;
      nextTurn = null;
      resolve();
    }),
  );
  return nextTurn;
}

async function spawnSlot(): Promise<void> {
  while (spawnedThisTurn >= SPAWNS_PER_TURN) await turnOver();
  spawnedThisTurn++;
  void turnOver(); // the count starts again next turn
}

export const runCommand: CommandRunner = async (file, args, options) => {
  await spawnSlot();
  return spawnNow(file, args, options);
};

const spawnNow: CommandRunner = (file, args, options) =>
  new Promise((resolve) => {
    const started = performance.now();
    const max = options.maxOutputBytes ?? 8 * 1024 * 1024;
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout kills grandchildren too
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let timedOut = false;
    let spawnError: string | undefined;
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr.on('data', collect(err));
    const kill = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, options.timeoutMs);
    const onAbort = () => {
      timedOut = true;
      kill();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      spawnError = e.message;
    });
    child.stdin.on('error', () => {}); // program exited before reading stdin
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code: spawnError ? null : code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: performance.now() - started,
        spawnError,
      });
    });
  });
