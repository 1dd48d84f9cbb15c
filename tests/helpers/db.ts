/**
 * A fresh database per test file: PGlite in memory by default; a new database on the real Postgres
 * when TEST_DATABASE_URL (an admin URL) is set — CI runs the suite both ways.
 */
import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { type Database, openDatabase } from '../../src/db/client.js';

export const onPostgres = () => !!process.env.TEST_DATABASE_URL;

/** Creates an empty database on the test Postgres and returns its URL (caller drops it with dropTestDatabase). */
export async function createPostgresDatabase(): Promise<string> {
  const admin = process.env.TEST_DATABASE_URL;
  if (!admin) throw new Error('TEST_DATABASE_URL is not set');
  const name = `corral_t_${randomBytes(6).toString('hex')}`;
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  await sql.unsafe(`CREATE DATABASE ${name}`);
  await sql.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropPostgresDatabase(url: string): Promise<void> {
  const admin = process.env.TEST_DATABASE_URL;
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

export async function openTestDatabase(): Promise<TestDatabase> {
  if (onPostgres()) {
    const url = await createPostgresDatabase();
    const database = await openDatabase({ url, maxConnections: 5 });
    return { database, url, drop: () => dropPostgresDatabase(url) };
  }
  const database = await openDatabase({});
  return { database, drop: async () => {} };
}
