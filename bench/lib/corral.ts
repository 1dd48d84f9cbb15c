/** An in-process Corral server on a given database, with an admin token, for benchmarks. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig, type ConfigInput } from '../../src/config.js';
import { createLogger } from '../../src/core/logger.js';
import type { Database } from '../../src/db/client.js';
import { type CorralServer, createServer, type Engine } from '../../src/server.js';

export const BENCH_PASSWORD = 'bench-password-1';

export interface BenchServer {
  server: CorralServer;
  url: string;
  token: string;
  post(query: string, variables?: Record<string, unknown>): Promise<{ body: string; status: number }>;
  stop(): Promise<void>;
}

export async function startCorral(database: Database, options: { config?: Partial<ConfigInput>; engines?: Engine[] } = {}): Promise<BenchServer> {
  const dir = mkdtempSync(join(tmpdir(), 'corral-bench-srv-'));
  const config = parseConfig({
    port: 0,
    host: '127.0.0.1',
    dataDir: dir,
    adminPassword: BENCH_PASSWORD,
    secretKey: 'bench-secret-key-0123456789',
    logLevel: 'silent',
    scheduler: false,
    ...options.config,
  });
  const server = await createServer(config, { database, engines: options.engines ?? [], log: createLogger('silent') });
  const { url } = await server.start();
  const post = async (query: string, variables?: Record<string, unknown>, token?: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { body: await res.text(), status: res.status };
  };
  const login = await post(`mutation { login(username: "admin", password: "${BENCH_PASSWORD}") { ... on LoginSuccess { token } ... on Error { message } } }`);
  const token = JSON.parse(login.body).data?.login?.token as string | undefined;
  if (!token) throw new Error(`login failed: ${login.body}`);
  return {
    server,
    url,
    token,
    post: (q, v) => post(q, v, token),
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
