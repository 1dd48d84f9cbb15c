/**
 * Opens the database: embedded PGlite (a data dir, or memory) or a real Postgres via postgres.js.
 * Both get the same drizzle API, the same migrations, and LISTEN/NOTIFY.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { sql as sqlTag } from 'drizzle-orm';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import type { PgAsyncDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { MIGRATIONS_DIR } from '../paths.js';
import type { PgliteClient } from './pglite-thread.js';
import { rowsOf } from './rows.js';

export { MIGRATIONS_DIR };

export type Db = PgAsyncDatabase<PgQueryResultHKT>;

export interface Database {
  db: Db;
  kind: 'pglite' | 'postgres';
  /** Statements run so far through drizzle (tests count them to catch N+1). */
  stats: { statements: number };
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres://… for a real server; absent for PGlite. */
  url?: string;
  /** PGlite data dir; absent means in-memory. */
  dataDir?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
}


export class DataDirLockedError extends Error {}

/** Data dirs this process holds open: the lock file's pid is ours for them, yet they are not stale. */
const heldDataDirs = new Set<string>();

/** PGlite does not lock its directory; two processes on one dir would corrupt it, so we take a lock file. */
function lockDataDir(dataDir: string): () => void {
  if (heldDataDirs.has(dataDir)) {
    throw new DataDirLockedError(`data directory ${dataDir} is in use by another Corral server in this process (pid ${process.pid}); stop it first, or set CORRAL_DATA_DIR to another directory`);
  }
  const lockPath = `${dataDir}.lock`;
  mkdirSync(dirname(lockPath), { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      heldDataDirs.add(dataDir);
      return () => {
        heldDataDirs.delete(dataDir);
        rmSync(lockPath, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(lockPath, 'utf8').trim());
      if (pid && pid !== process.pid && isAlive(pid)) {
        throw new DataDirLockedError(
          `data directory ${dataDir} is in use by another Corral server (pid ${pid}); stop it first, or set CORRAL_DATA_DIR to another directory`,
        );
      }
      rmSync(lockPath, { force: true }); // stale lock from a process that died
    }
  }
  throw new DataDirLockedError(`could not lock ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The database could not be opened or migrated; the message says where and why, without secrets. */
export class DatabaseOpenError extends Error {}

/** host:port/database of a postgres URL: what an operator needs to see, never the password. */
export function describePostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL (not a valid URL)';
  }
}

/** The innermost cause's message: drizzle wraps the driver's error ("Failed query: …"). */
function rootMessage(e: unknown): string {
  let cur = e as { cause?: unknown; message?: string } | undefined;
  while (cur && typeof cur === 'object' && cur.cause && typeof cur.cause === 'object') cur = cur.cause as typeof cur;
  return cur?.message ?? String(e);
}

/**
 * The migrations shipped, by folder name (as drizzle names them). Read without drizzle's
 * readMigrationFiles, which hashes every file and sorts with localeCompare (loading ICU's
 * collator): a restart needs only the names.
 */
function localMigrationNames(): string[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((d) => existsSync(join(MIGRATIONS_DIR, d, 'migration.sql')))
    .sort();
}

/**
 * Start-up fast path: one statement tells whether every local migration is applied (drizzle's
 * own rule: by name). drizzle's migrate() costs five catalog round trips even when there is
 * nothing to do; it runs only when this says there is (or cannot tell: a new database).
 */
async function migrationsApplied(db: Db): Promise<boolean> {
  try {
    const names = localMigrationNames();
    const applied = new Set(rowsOf<{ name: string | null }>(await db.execute(sqlTag`SELECT name FROM drizzle.__drizzle_migrations`)).map((r) => r.name));
    return names.every((n) => applied.has(n));
  } catch {
    return false;
  }
}

/**
 * A new embedded database gets every migration in one exec: one trip into PGlite instead of one
 * per statement, which was most of a first boot after initdb. The migrations are recorded in
 * drizzle's own table as its migrator records them (hash, folder time, name), so later ones run
 * through drizzle as usual. Returns false (nothing done) when the database is not new.
 */
async function migrateNewPglite(client: PgliteClient, migrations: readonly MigrationMeta[]): Promise<boolean> {
  const { rows } = await client.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM pg_catalog.pg_tables WHERE schemaname IN ('public', 'drizzle')",
  );
  if ((rows[0]?.n ?? 1) > 0) return false;
  const quote = (v: string) => `'${v.replace(/'/g, "''")}'`;
  const script = [
    'BEGIN',
    'CREATE SCHEMA IF NOT EXISTS drizzle',
    'CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint, name text, applied_at timestamp with time zone DEFAULT now())',
    ...migrations.flatMap((m) => m.sql),
    ...migrations.map((m) => `INSERT INTO drizzle.__drizzle_migrations (hash, created_at, name) VALUES (${quote(m.hash)}, ${Number(m.folderMillis)}, ${m.name ? quote(m.name) : 'NULL'})`),
    'COMMIT',
  ].join(';\n');
  try {
    await client.exec(script);
  } catch (e) {
    await client.exec('ROLLBACK').catch(() => {});
    throw e;
  }
  return true;
}

export async function openDatabase(options: OpenOptions): Promise<Database> {
  const stats = { statements: 0 };
  const logger = { logQuery: () => void stats.statements++ };

  if (options.url) {
    const sql = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connection: { application_name: 'corral' },
      // A silent address fails start-up in seconds, not the driver's 30 s.
      connect_timeout: 10,
      // No pg_type query on every new connection: Corral has no array columns and reads no arrays
      // (it sends arrays as text literals), and that query delayed start-up and each new pool slot.
      fetch_types: false,
    });
    const db = drizzlePostgres({ client: sql, logger }) as unknown as Db;
    try {
      // The migrator is loaded only when there is something to migrate (not at every start).
      if (!(await migrationsApplied(db))) await (await import('drizzle-orm/postgres-js/migrator')).migrate(db as never, { migrationsFolder: MIGRATIONS_DIR });
    } catch (e) {
      await sql.end({ timeout: 1 }).catch(() => {});
      throw new DatabaseOpenError(`cannot open the Postgres database ${describePostgresUrl(options.url)}: ${rootMessage(e)}`);
    }
    return {
      db,
      kind: 'postgres',
      stats,
      async listen(channel, onPayload) {
        const sub = await sql.listen(channel, onPayload);
        return () => sub.unlisten();
      },
      async notify(channel, payload) {
        await sql.notify(channel, payload);
      },
      close: () => sql.end({ timeout: 5 }),
    };
  }

  let unlock = () => {};
  if (options.dataDir) {
    const dir = resolve(options.dataDir);
    unlock = lockDataDir(dir);
    mkdirSync(dirname(dir), { recursive: true });
  }
  // Loaded only in embedded mode: a Postgres deployment never pays for PGlite's modules.
  const [{ drizzle: drizzlePglite }, { openPgliteThread }] = await Promise.all([import('drizzle-orm/pglite'), import('./pglite-thread.js')]);
  let client: PgliteClient;
  try {
    client = await openPgliteThread(options.dataDir ? resolve(options.dataDir) : undefined);
  } catch (e) {
    unlock();
    throw e;
  }
  // drizzle's driver calls query(sql, params, { rowMode, parsers }) and transaction(fn): the thread's client has both.
  const db = drizzlePglite({ client: client as unknown as PGlite, logger }) as unknown as Db;
  if (!(await migrationsApplied(db))) {
    const [{ readMigrationFiles }, { migrate: migratePglite }] = await Promise.all([import('drizzle-orm/migrator'), import('drizzle-orm/pglite/migrator')]);
    if (!(await migrateNewPglite(client, readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR })))) await migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR });
  }
  return {
    db,
    kind: 'pglite',
    stats,
    async listen(channel, onPayload) {
      const stop = await client.listen(channel, onPayload);
      return () => stop();
    },
    async notify(channel, payload) {
      await client.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      await client.close();
      unlock();
    },
  };
}

export const dataDirOf = (dir: string) => join(dir, 'pgdata');
