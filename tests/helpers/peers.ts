/**
 * Finding and running real peers in tests. A test that needs a peer (fping, sshd, boinc …)
 * runs only where it is installed; in CI (CI=true) a missing peer is a failure, not a skip.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SEARCH = ['/usr/sbin', '/usr/bin', '/sbin', '/bin', '/usr/local/bin', '/usr/lib/nagios/plugins'];

export function findBinary(name: string): string | null {
  for (const dir of SEARCH) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** True when every binary exists; in CI throws naming what is missing. */
export function hasPeers(...names: string[]): boolean {
  const missing = names.filter((n) => !findBinary(n));
  if (missing.length === 0) return true;
  if (process.env.CI === 'true') throw new Error(`CI: required peer(s) not installed: ${missing.join(', ')}`);
  return false;
}

export const isRoot = () => process.getuid?.() === 0;

/** A free TCP port on 127.0.0.1 (also free for UDP in practice on a test machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix = 'corral-test-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Daemon {
  pid: number;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts a daemon in its foreground mode so that the child's pid is the daemon's; stop() kills by that pid. */
export function startDaemon(
  file: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; uid?: number; gid?: number } = {},
): Daemon {
  const child = spawn(file, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    uid: opts.uid,
    gid: opts.gid,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out = (out + d.toString()).slice(-20_000);
  });
  child.stderr?.on('data', (d) => {
    out = (out + d.toString()).slice(-20_000);
  });
  if (!child.pid) throw new Error(`could not start ${file}`);
  const pid = child.pid;
  return {
    pid,
    child,
    output: () => out,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {}
        }, 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        try {
          process.kill(pid, signal);
        } catch {
          clearTimeout(t);
          resolve();
        }
      }),
  };
}

/** Polls `probe` until it returns true or `timeoutMs` passes. */
export async function waitFor(probe: () => boolean | Promise<boolean>, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {}
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** uid/gid of a system user (e.g. postgres, boinc), for running daemons that refuse root. */
export function userIds(name: string): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', name]).toString().trim());
    const gid = Number(execFileSync('id', ['-g', name]).toString().trim());
    return { uid, gid };
  } catch {
    return null;
  }
}
