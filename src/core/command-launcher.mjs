// Starts system tools with an argv array (never a shell), a timeout, a process group of their own
// and capped output. Plain JavaScript because it also runs alone, as the command launcher: a small
// process the server forks once and asks to start its commands (src/core/command.ts). Starting a
// process copies the page tables of the process that starts it: from a server holding PGlite
// (400–900 MB) each start held the server's event loop for 15–35 ms; from this ~40 MB process it
// takes ~1 ms, and never the server's loop.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starting a process blocks the loop of the process that starts it: at most this many start per
 * turn, the rest in the next turns, so a burst (2,000 hosts × 3 exec checks) never holds it long.
 */
const SPAWNS_PER_TURN = 2;
let spawnedThisTurn = 0;
/** @type {Promise<void> | null} */
let nextTurn = null;

function turnOver() {
  nextTurn ??= new Promise((resolve) =>
    setImmediate(() => {
      spawnedThisTurn = 0;
      nextTurn = null;
      resolve();
    }),
  );
  return nextTurn;
}

async function spawnSlot() {
  while (spawnedThisTurn >= SPAWNS_PER_TURN) await turnOver();
  spawnedThisTurn++;
  void turnOver(); // the count starts again next turn
}

/** Runs one command, paced with the others started from this process. */
export async function runPaced(file, args, options) {
  await spawnSlot();
  return spawnNow(file, args, options);
}

/**
 * A file for a command's stderr, already unlinked (only its descriptor names it; nothing is left
 * behind whatever happens), or null when none can be made (then a pipe is used).
 */
function anonymousFile() {
  const path = join(tmpdir(), `corral-out-${process.pid}-${randomBytes(8).toString('hex')}`);
  try {
    const fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path);
    return fd;
  } catch {
    return null;
  }
}

/** Up to `max` bytes of what was written to `fd`, then closes it. */
function readAndClose(fd, max) {
  try {
    const size = Math.min(fstatSync(fd).size, max);
    const buf = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

function spawnNow(file, args, options) {
  return new Promise((resolve) => {
    const started = performance.now();
    const max = options.maxOutputBytes ?? 8 * 1024 * 1024;
    const errFile = options.stderrToFile ? anonymousFile() : null;
    const child = spawn(file, [...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C', LC_ALL: 'C', ...options.env },
      // No stdin pipe unless there is input: one pipe less per start (checks start hundreds a second).
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', errFile ?? 'pipe'],
      detached: true, // own process group, so a timeout kills grandchildren too
    });
    const out = [];
    const err = [];
    let size = 0;
    let timedOut = false;
    let spawnError;
    const collect = (into) => (chunk) => {
      size += chunk.length;
      if (size <= max) into.push(chunk);
    };
    child.stdout.on('data', collect(out));
    child.stderr?.on('data', collect(err));
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
    if (options.input !== undefined) {
      child.stdin.on('error', () => {}); // program exited before reading stdin
      child.stdin.end(options.input);
    }
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (errFile !== null) collect(err)(readAndClose(errFile, Math.max(0, max - size)));
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
}

// As the launcher: one message per command ({ id, file, args, options }), { id, abort } to stop
// one; the answer is { id, result }. When the server goes away, its commands are killed with it.
if (process.env.CORRAL_COMMAND_LAUNCHER === '1' && process.send) {
  /** @type {Map<number, AbortController>} */
  const running = new Map();
  process.on('message', (m) => {
    if (m.abort) {
      running.get(m.id)?.abort();
      return;
    }
    const stop = new AbortController();
    running.set(m.id, stop);
    runPaced(m.file, m.args, { ...m.options, signal: stop.signal }).then((result) => {
      running.delete(m.id);
      if (process.connected) process.send({ id: m.id, result });
    });
  });
  process.on('disconnect', () => {
    for (const stop of running.values()) stop.abort();
    process.exit(0);
  });
}
