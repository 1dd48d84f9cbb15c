/**
 * A DATABASE_URL that cannot be used stops `corral serve` at once with one readable line naming
 * host, port and database and the reason, never the password.
 */

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseOpenError, openDatabase } from '../../src/db/client.js';
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
      expect(first.stats.statements).toBeGreaterThan(1); // a new database: migrated
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
