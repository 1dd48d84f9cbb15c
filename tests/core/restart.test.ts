/**
 * State survives a restart (PGlite data dir, or the Postgres database): hosts, users, audit events,
 * login rate limits. A second server on a running PGlite data dir refuses to start. First start
 * creates the admin user.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConfigInput, parseConfig } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { type CorralServer, createServer } from '../../src/server.js';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../helpers/db.js';
import { tempDir } from '../helpers/peers.js';

const PASSWORD = 'restart-admin-pw';
const LOGIN = `mutation($u:String!,$p:String!){ login(username:$u,password:$p){ __typename ... on LoginSuccess { token } ... on Error { message } } }`;

interface Running {
  server: CorralServer;
  url: string;
  gql(query: string, variables?: Record<string, unknown>, token?: string): Promise<any>;
  stop(): Promise<void>;
}

/** A server the way `corral serve` starts one: it opens the database itself from the config. */
async function boot(config: Partial<ConfigInput>): Promise<Running> {
  const server = await createServer(
    parseConfig({ port: 0, host: '127.0.0.1', secretKey: 'test-secret-key-0123456789', logLevel: 'silent', scheduler: false, ...config }),
    { engines: [], log: createLogger('silent') },
  );
  const { url } = await server.start();
  const gql = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return res.json();
  };
  return { server, url, gql, stop: () => server.stop() };
}

const dir = tempDir('corral-restart-');
let dbUrl: string | undefined;
beforeAll(async () => {
  if (onPostgres()) dbUrl = await createPostgresDatabase();
});
afterAll(async () => {
  if (dbUrl) await dropPostgresDatabase(dbUrl);
  dir.remove();
});
/** The same store every time: the data dir (PGlite) or the database (Postgres). */
const store = (): Partial<ConfigInput> => ({ dataDir: dir.path, databaseUrl: dbUrl, adminPassword: PASSWORD });

describe(`restart (${onPostgres() ? 'Postgres' : 'PGlite data dir'})`, () => {
  it('keeps hosts, users, audit events and login rate limits', async () => {
    const first = await boot(store());
    let stopped = false;
    try {
      expect(first.server.app.database.kind).toBe(onPostgres() ? 'postgres' : 'pglite');
      // First start: admin is created with the configured password.
      expect(first.server.generatedAdminPassword).toBeUndefined();
      const admin = (await first.gql(LOGIN, { u: 'admin', p: PASSWORD })).data.login.token as string;
      const h = await first.gql(`mutation { createHost(input:{ name:"keep01", address:"127.0.0.1", groups:["render"] }){ __typename } }`, {}, admin);
      expect(h.data.createHost.__typename).toBe('HostPayload');
      const u = await first.gql(`mutation { createUser(input:{ username:"kept", password:"kept-password", role: OPERATOR }){ __typename } }`, {}, admin);
      expect(u.data.createUser.__typename).toBe('UserPayload');
      // Stay inside one one-minute rate-limit window for the whole restart.
      const intoMinute = Date.now() % 60_000;
      if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
      for (let i = 0; i < 5; i++) expect((await first.gql(LOGIN, { u: 'kept', p: `wrong-${i}-pw` })).data.login.__typename).toBe('ValidationError');
      await first.stop();
      stopped = true;
    } finally {
      if (!stopped) await first.stop();
    }

    const second = await boot(store());
    try {
      // The limit outlived the process: even the right password is refused this minute.
      const limited = await second.gql(LOGIN, { u: 'admin', p: PASSWORD });
      expect(limited.data.login.__typename).toBe('RateLimitedError');
      // Read the rest straight from the new server's database, then through the API with a token.
      const { sql } = await import('drizzle-orm');
      const { rowsOf } = await import('../../src/db/rows.js');
      const db = second.server.app.db;
      await db.execute(sql`DELETE FROM rate_limits`);
      const admin = (await second.gql(LOGIN, { u: 'admin', p: PASSWORD })).data.login.token as string;
      const host = await second.gql(`{ host(name:"keep01"){ address groups { name } } }`, {}, admin);
      expect(host.data.host).toEqual({ address: '127.0.0.1', groups: [{ name: 'render' }] });
      const users = await second.gql(`{ users { username role } }`, {}, admin);
      expect(users.data.users).toContainEqual({ username: 'kept', role: 'OPERATOR' });
      const audit = await second.gql(`{ auditEvents(first: 50) { edges { node { action actor } } } }`, {}, admin);
      const actions = audit.data.auditEvents.edges.map((e: { node: { action: string } }) => e.node.action);
      expect(actions).toEqual(expect.arrayContaining(['host.create', 'user.create']));
      expect((await second.gql(LOGIN, { u: 'kept', p: 'kept-password' })).data.login.__typename).toBe('LoginSuccess');
      // Only one admin: the second start did not bootstrap again.
      expect(rowsOf(await db.execute(sql`SELECT id FROM users WHERE username = 'admin'`))).toHaveLength(1);
      expect(second.server.generatedAdminPassword).toBeUndefined();
    } finally {
      await second.stop();
    }
  }, 150_000);
});

describe.runIf(!onPostgres())('PGlite data dir lock', () => {
  it('a second server on a data dir in use refuses to start, naming the directory', async () => {
    const d = tempDir('corral-lock-');
    const first = await boot({ dataDir: d.path, adminPassword: PASSWORD });
    try {
      // Another process, as an operator starting a second `corral serve` would.
      const script = `
        import { parseConfig } from './src/config.js';
        import { createServer } from './src/server.js';
        try {
          await createServer(parseConfig({ port: 0, dataDir: ${JSON.stringify(d.path)}, adminPassword: 'whatever-pw', logLevel: 'silent', scheduler: false, secretKey: 'test-secret-key-0123456789' }), { engines: [] });
          console.log('STARTED');
          process.exit(0);
        } catch (e) {
          console.log(e.constructor.name + ': ' + e.message);
          process.exit(3);
        }`;
      const { code, out } = await new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (b) => (out += b));
        child.stderr.on('data', (b) => (out += b));
        child.on('close', (c) => resolve({ code: c, out }));
      });
      expect(out).toContain('DataDirLockedError');
      expect(out).toContain(d.path);
      expect(out).toMatch(/in use by another Corral server \(pid \d+\)/);
      expect(code).toBe(3);
      // In the same process too.
      await expect(boot({ dataDir: d.path, adminPassword: PASSWORD })).rejects.toThrow(d.path);
      // The first server was not disturbed.
      expect((await first.gql(LOGIN, { u: 'admin', p: PASSWORD })).data.login.__typename).toBe('LoginSuccess');
    } finally {
      await first.stop();
    }
    // Once stopped, the directory is free again.
    const again = await boot({ dataDir: d.path, adminPassword: PASSWORD });
    await again.stop();
    d.remove();
  }, 150_000);
});

describe('first start', () => {
  it('without CORRAL_ADMIN_PASSWORD generates one that works', async () => {
    const d = tempDir('corral-boot-');
    const url = onPostgres() ? await createPostgresDatabase() : undefined;
    const write = process.stdout.write.bind(process.stdout);
    let printed = '';
    process.stdout.write = ((chunk: string | Uint8Array) => {
      printed += String(chunk);
      return true;
    }) as typeof process.stdout.write;
    let s: Running;
    try {
      s = await boot({ dataDir: d.path, databaseUrl: url });
    } finally {
      process.stdout.write = write;
    }
    try {
      const pw = s.server.generatedAdminPassword;
      expect(pw).toBeTruthy();
      expect(pw!.length).toBeGreaterThanOrEqual(16);
      expect(printed).toContain(pw!);
      const me = await s.gql(LOGIN, { u: 'admin', p: pw });
      expect(me.data.login.__typename).toBe('LoginSuccess');
      const wrong = await s.gql(LOGIN, { u: 'admin', p: 'admin-password-1' });
      expect(wrong.data.login.__typename).toBe('ValidationError');
    } finally {
      await s.stop();
      if (url) await dropPostgresDatabase(url);
      d.remove();
    }
  }, 120_000);
});
