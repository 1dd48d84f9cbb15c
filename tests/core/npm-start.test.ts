/**
 * What `npm start` runs: scripts/prepare-start.mjs builds dist/corral.cjs, scripts/run-bundle.cjs
 * starts it with plain node. The server answers, writes its V8 code cache after its first
 * requests, and a restart on the same data (PGlite dir, or the Postgres database in the Postgres
 * pass) starts from that cache with the data intact.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, dropPostgresDatabase, onPostgres } from '../helpers/db.js';
import { type Daemon, freePort, startDaemon, tempDir, waitFor } from '../helpers/peers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CACHE = join(ROOT, 'dist', 'corral.cjs.v8cache');

describe('npm start (the bundled server)', () => {
  const data = tempDir('corral-npm-start-');
  let databaseUrl: string | undefined;
  let server: Daemon | undefined;

  beforeAll(async () => {
    const built = spawnSync(process.execPath, [join(ROOT, 'scripts', 'prepare-start.mjs')], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    expect(built.status, built.stderr).toBe(0);
    if (onPostgres()) databaseUrl = await createPostgresDatabase();
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    if (databaseUrl) await dropPostgresDatabase(databaseUrl);
    data.remove();
  });

  async function start(): Promise<string> {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), CORRAL_HOST: '127.0.0.1', CORRAL_DATA_DIR: data.path, CORRAL_ADMIN_PASSWORD: 'start-password-1', CORRAL_LOG_LEVEL: 'warn' };
    delete env.DATABASE_URL;
    if (databaseUrl) env.DATABASE_URL = databaseUrl;
    const daemon = startDaemon(process.execPath, ['--enable-source-maps', join(ROOT, 'scripts', 'run-bundle.cjs'), 'serve'], { cwd: ROOT, env });
    server = daemon;
    await waitFor(() => daemon.output().includes('Corral ready'), 60_000, `npm start to be ready:\n${daemon.output()}`);
    return `http://127.0.0.1:${port}`;
  }

  const login = async (url: string) => {
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { login(username: "admin", password: "start-password-1") { __typename ... on LoginSuccess { token } } }' }),
    });
    return ((await res.json()) as { data?: { login?: { token?: string } } }).data?.login?.token;
  };

  it('serves the API and the dashboard, writes its code cache, and restarts from it with the data kept', async () => {
    rmSync(CACHE, { force: true });
    const url = await start();
    expect((await (await fetch(`${url}/healthz`)).json()).status).toBe('ok');
    const token = await login(url);
    expect(token).toMatch(/\S{20,}/);
    const created = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'mutation { createHost(input: { name: "kept01" }) { __typename } }' }),
    });
    expect(((await created.json()) as { data: { createHost: { __typename: string } } }).data.createHost.__typename).toBe('HostPayload');
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');

    // The cache is written a few seconds after the first requests, then the server is stopped by pid.
    await waitFor(() => existsSync(CACHE) && statSync(CACHE).size > 100_000, 20_000, 'the V8 code cache to be written');
    await server!.stop('SIGTERM');
    expect(server!.child.exitCode).toBe(0);
    const cache = readFileSync(CACHE);

    const again = await start();
    const token2 = await login(again);
    const hosts = await fetch(`${again}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token2}` },
      body: JSON.stringify({ query: '{ hosts(first: 10) { edges { node { name } } } }' }),
    });
    expect(((await hosts.json()) as { data: { hosts: { edges: { node: { name: string } }[] } } }).data.hosts.edges.map((e) => e.node.name)).toEqual(['kept01']);
    // A cache V8 accepted is not rewritten.
    await new Promise((r) => setTimeout(r, 3500));
    expect(readFileSync(CACHE).equals(cache)).toBe(true);
  }, 120_000);
});
