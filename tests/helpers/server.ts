/**
 * Starts a real Corral server for a test: its own database (PGlite in memory, or a fresh Postgres
 * database), a temp data dir, a free port; an admin token ready; stopped by the test.
 */
import { parseConfig, type ConfigInput } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import { defaultEngines } from '../../src/engines.js';
import { type CorralServer, createServer, type Engine } from '../../src/server.js';
import { openTestDatabase, type TestDatabase } from './db.js';
import { tempDir } from './peers.js';

export const ADMIN_PASSWORD = 'admin-password-1';

export interface TestServer {
  server: CorralServer;
  url: string;
  wsUrl: string;
  port: number;
  adminToken: string;
  testDb: TestDatabase;
  dataDir: string;
  /** POST a GraphQL operation; returns the parsed JSON body. */
  gql<T = any>(query: string, variables?: Record<string, unknown>, token?: string | null): Promise<{ data?: T; errors?: { message: string; extensions?: Record<string, unknown> }[] }>;
  /** Logs a user in and returns the token. */
  login(username: string, password: string): Promise<string>;
  /** Creates a user with a role (optionally group-scoped) and returns its token. */
  userToken(username: string, role: 'VIEWER' | 'OPERATOR' | 'ADMIN', groups?: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startTestServer(options: { config?: Partial<ConfigInput>; engines?: Engine[]; testDb?: TestDatabase } = {}): Promise<TestServer> {
  const dir = tempDir('corral-srv-');
  const testDb = options.testDb ?? (await openTestDatabase());
  const config = parseConfig({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir.path,
    adminPassword: ADMIN_PASSWORD,
    secretKey: 'test-secret-key-0123456789',
    logLevel: process.env.CORRAL_TEST_LOG ? 'debug' : 'silent',
    scheduler: false,
    ...options.config,
  });
  const server = await createServer(config, { database: testDb.database, engines: options.engines ?? defaultEngines(config), log: createLogger(config.logLevel) });
  const { url, port } = await server.start();
  const gql: TestServer['gql'] = async (query, variables, token) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as never;
  };
  const login = async (username: string, password: string) => {
    const r = await gql(`mutation($u:String!,$p:String!){ login(username:$u,password:$p){ __typename ... on LoginSuccess { token } ... on Error { message } } }`, { u: username, p: password });
    const token = r.data?.login?.token;
    if (!token) throw new Error(`login failed: ${JSON.stringify(r)}`);
    return token as string;
  };
  const adminToken = await login('admin', ADMIN_PASSWORD);
  const userToken: TestServer['userToken'] = async (username, role, groups) => {
    const password = `${username}-password`;
    const r = await gql(
      `mutation($i: CreateUserInput!){ createUser(input:$i){ __typename ... on Error { message } } }`,
      { i: { username, password, role, groups } },
      adminToken,
    );
    if (r.data?.createUser?.__typename !== 'UserPayload') throw new Error(`createUser failed: ${JSON.stringify(r)}`);
    return login(username, password);
  };
  return {
    server,
    url,
    wsUrl: `${url.replace('http', 'ws')}/graphql`,
    port,
    adminToken,
    testDb,
    dataDir: dir.path,
    gql,
    login,
    userToken,
    async stop() {
      await server.stop();
      if (!options.testDb) await testDb.drop();
      dir.remove();
    },
  };
}
