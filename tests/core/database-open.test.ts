/**
 * A DATABASE_URL that cannot be used stops `corral serve` at once with one readable line naming
 * host, port and database and the reason, never the password.
 */

import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DatabaseOpenError, MIGRATIONS_DIR, openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { hosts } from '../../src/db/tables/inventory.js';
import { runCli } from '../cli-helpers.js';
import { createPostgresDatabase, dropPostgresDatabase, hasPostgresForTests, onPostgres, postgresAdminUrl } from '../helpers/db.js';
import { freePort, tempDir } from '../helpers/peers.js';

describe('reopening a migrated database', () => {
  it('checks the migrations in one statement and keeps the data', async () => {
    const dir = tempDir();
    const postgresUrl = onPostgres() ? await createPostgresDatabase() : undefined;
    const options = postgresUrl ? { url: postgresUrl } : { dataDir: join(dir.path, 'pgdata') };
    try {
      const first = await openDatabase(options);
      await first.db.insert(hosts).values({ name: 'kept01' });
      await first.close();
      const again = await openDatabase(options);
      expect(again.stats.statements).toBe(1);
      expect((await again.db.select({ name: hosts.name }).from(hosts)).map((h) => h.name)).toEqual(['kept01']);
      await again.close();
    } finally {
      if (postgresUrl) await dropPostgresDatabase(postgresUrl);
      dir.remove();
    }
  });
});

describe('a new embedded database', () => {
  // What the schema is made of, from the catalog: tables, columns, constraints, indexes.
  const SHAPE = `
    SELECT 'column' AS what, table_schema || '.' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS def
      FROM information_schema.columns WHERE table_schema IN ('public', 'drizzle')
    UNION ALL SELECT 'constraint', conrelid::regclass::text || ' ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE connamespace = 'public'::regnamespace
    UNION ALL SELECT 'index', indexdef FROM pg_indexes WHERE schemaname IN ('public', 'drizzle')
    ORDER BY 1, 2`;

  it("is migrated in one go to exactly what drizzle's migrator makes, and recorded the same way", async () => {
    const { PGlite } = await import('@electric-sql/pglite');
    const { drizzle } = await import('drizzle-orm/pglite');
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    const reference = await PGlite.create();
    await migrate(drizzle({ client: reference }), { migrationsFolder: MIGRATIONS_DIR });
    const ours = await openDatabase({});
    try {
      expect(ours.stats.statements).toBe(1); // the migrations check; the rest went in one exec
      const shapeOf = async (run: (q: string) => Promise<unknown>) => rowsOf<{ what: string; def: string }>(await run(SHAPE));
      const expected = await shapeOf((q) => reference.query(q));
      expect(expected.length).toBeGreaterThan(50);
      expect(await shapeOf((q) => ours.db.execute(sql.raw(q)))).toEqual(expected);
      const record = 'SELECT hash, created_at::text, name FROM drizzle.__drizzle_migrations ORDER BY id';
      expect(rowsOf(await ours.db.execute(sql.raw(record)))).toEqual((await reference.query(record)).rows);
    } finally {
      await ours.close();
      await reference.close();
    }
  });
});

describe('opening a Postgres that cannot be used', () => {
  it('nothing listening: a DatabaseOpenError naming the address, without the password', async () => {
    const port = await freePort();
    const err = await openDatabase({ url: `postgres://corral:sekrit-pw@127.0.0.1:${port}/corral` }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DatabaseOpenError);
    expect((err as Error).message).toMatch(new RegExp(`^cannot open the Postgres database 127\\.0\\.0\\.1:${port}/corral: .*ECONNREFUSED`));
    expect((err as Error).message).not.toContain('sekrit-pw');
  });

  it('`corral serve` exits 1 with that line', async () => {
    const port = await freePort();
    const data = tempDir();
    try {
      const r = await runCli(['serve'], { env: { DATABASE_URL: `postgres://corral:sekrit-pw@127.0.0.1:${port}/corral`, PORT: String(await freePort()), CORRAL_DATA_DIR: data.path } });
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`corral: cannot open the Postgres database 127\\.0\\.0\\.1:${port}/corral: .*ECONNREFUSED`));
      expect(r.stderr + r.stdout).not.toContain('sekrit-pw');
    } finally {
      data.remove();
    }
  });

  describe.runIf(hasPostgresForTests())('on a real Postgres', () => {
    it('a database that does not exist says so', async () => {
      const url = new URL(postgresAdminUrl()!);
      url.pathname = '/corral_no_such_db';
      const err = await openDatabase({ url: url.toString() }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DatabaseOpenError);
      expect((err as Error).message).toMatch(/\/corral_no_such_db: database "corral_no_such_db" does not exist$/);
    });
  });
});
