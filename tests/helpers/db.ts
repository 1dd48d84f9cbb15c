/**
 * A fresh database per test file: PGlite in memory by default; a new database on the real Postgres
 * when TEST_DATABASE_URL (an admin URL) is set — CI runs the suite both ways.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/client.js';

export const onPostgres = () => !!process.env.TEST_DATABASE_URL;

/** The admin URL of a real Postgres for tests: TEST_DATABASE_URL, else CORRAL_TEST_PG_ADMIN_URL. */
export const postgresAdminUrl = (): string | undefined => process.env.TEST_DATABASE_URL || process.env.CORRAL_TEST_PG_ADMIN_URL || undefined;

/**
 * For suites that need a real Postgres whatever the default database is (e.g. two replicas):
 * true when one is configured; in CI (CI=true) a missing one is a failure, not a skip.
 */
export function hasPostgresForTests(): boolean {
  if (postgresAdminUrl()) return true;
  if (process.env.CI === 'true') throw new Error('CI: set TEST_DATABASE_URL or CORRAL_TEST_PG_ADMIN_URL (a Postgres admin URL) for the Postgres-only tests');
  return false;
}

/** Creates an empty database on the test Postgres and returns its URL (caller drops it with dropPostgresDatabase). */
export async function createPostgresDatabase(): Promise<string> {
  const admin = postgresAdminUrl();
  if (!admin) throw new Error('neither TEST_DATABASE_URL nor CORRAL_TEST_PG_ADMIN_URL is set');
  const name = `corral_t_${randomBytes(6).toString('hex')}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE DATABASE ${name}`);
  await sql.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const admin = postgresAdminUrl();
  if (!admin) return;
  const name = new URL(url).pathname.slice(1);
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await sql.end();
}

export interface TestDatabase {
  database: Database;
  /** postgres URL when on Postgres (to open a second connection / server). */
  url?: string;
  drop(): Promise<void>;
}

/** A fresh database on the real Postgres (TEST_DATABASE_URL or CORRAL_TEST_PG_ADMIN_URL), whatever the default. */
export async function openPostgresTestDatabase(): Promise<TestDatabase> {
  const url = await createPostgresDatabase();
  const database = await openDatabase({ url, maxConnections: 5 });
  return { database, url, drop: () => dropPostgresDatabase(url) };
}

export async function openTestDatabase(): Promise<TestDatabase> {
  if (onPostgres()) {
    const url = await createPostgresDatabase();
    const database = await openDatabase({ url, maxConnections: 5 });
    return { database, url, drop: () => dropPostgresDatabase(url) };
  }
  const database = await openDatabase({});
  return { database, drop: async () => {} };
}
