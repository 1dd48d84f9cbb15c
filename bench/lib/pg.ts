/**
 * A throwaway PostgreSQL 15 for a benchmark: initdb + postgres (fsync off) as user postgres in a
 * temp dir on a free port; stop() shuts it down with pg_ctl (and waits) and removes the dir.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Pg {
  url: string;
  adminUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const asPostgres = (args: string[]) => ['-u', 'postgres', '--', ...args];

export async function startPostgres(extra: string[] = []): Promise<Pg> {
  const dir = mkdtempSync(join(tmpdir(), 'corral-bench-pg-'));
  const data = join(dir, 'data');
  const sock = dir;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  execFileSync('runuser', asPostgres([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '--no-sync']), { stdio: 'ignore' });
  const port = await freePort();
  const child: ChildProcess = spawn(
    'runuser',
    asPostgres([
      `${BIN}/postgres`,
      '-D', data, '-p', String(port), '-k', sock,
      '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=200', '-c', 'shared_buffers=256MB', ...extra,
    ]),
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += String(d)));
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      execFileSync(`${BIN}/pg_isready`, ['-h', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
      break;
    } catch {
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`postgres did not start: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  execFileSync(`${BIN}/createdb`, ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'corral']);
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/corral`,
    adminUrl,
    pid: child.pid!,
    async stop() {
      // pg_ctl waits until postgres has shut down: a SIGINT through runuser returned while postgres
      // still wrote its shutdown checkpoint for a minute, into the next benchmark's measurements.
      try {
        execFileSync('runuser', asPostgres([`${BIN}/pg_ctl`, 'stop', '-D', data, '-m', 'fast', '-w', '-t', '30']), { stdio: 'ignore' });
      } catch {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
