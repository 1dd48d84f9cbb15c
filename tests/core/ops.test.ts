/**
 * Operations surface: /healthz, /metrics (host counts by health match the inventory), and the
 * committed schema.graphql is the printed schema.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDefinitions, checkState } from '../../src/db/tables/checks.js';
import { printSortedSchema } from '../../src/schema/schema.js';
import { onPostgres } from '../helpers/db.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  const db = s.server.app.db;
  const hosts = await seed(db)
    .hosts(['ok1', 'ok2', 'ok3'])
    .hosts(['warn1'])
    .hosts(['crit1', 'crit2'])
    .hosts(['new1', 'new2', 'new3', 'new4'])
    .hosts(['off1'])
    .done();
  const [def] = await db.insert(checkDefinitions).values({ name: 'ping', kind: 'ping', intervalS: 60, timeoutS: 5 }).returning();
  const now = new Date();
  const state = (name: string, status: 'OK' | 'WARN' | 'CRIT') => ({
    hostId: hosts.get(name)!.id,
    checkId: def!.id,
    kind: 'ping',
    status,
    lastStatus: status,
    summary: `${status.toLowerCase()} from test`,
    observedAt: now,
    since: now,
    nextDueAt: now,
  });
  await db.insert(checkState).values([state('ok1', 'OK'), state('ok2', 'OK'), state('ok3', 'OK'), state('warn1', 'WARN'), state('crit1', 'CRIT'), state('crit2', 'CRIT'), state('off1', 'CRIT')]);
  const r = await s.gql(`mutation { setHostsEnabled(hosts:["off1"], enabled:false, reason:"broken PSU"){ okCount } }`, {}, s.adminToken);
  expect(r.data.setHostsEnabled.okCount).toBe(1);
});
afterAll(async () => s?.stop());

describe('ops endpoints', () => {
  it('/healthz says ok and names the database kind', async () => {
    const res = await fetch(`${s.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', database: onPostgres() ? 'postgres' : 'pglite' });
  });

  it('/metrics counts hosts by health in Prometheus text', async () => {
    const res = await fetch(`${s.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('# TYPE corral_hosts gauge');
    const counts = Object.fromEntries([...text.matchAll(/^corral_hosts\{health="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(counts).toEqual({ OK: 3, WARN: 1, CRIT: 2, UNKNOWN: 4, DISABLED: 1 });
    // The same numbers the API reports.
    const api = await s.gql(`{ hosts(first: 100) { edges { node { health } } } }`, {}, s.adminToken);
    const byHealth: Record<string, number> = {};
    for (const e of api.data.hosts.edges) byHealth[e.node.health] = (byHealth[e.node.health] ?? 0) + 1;
    expect(byHealth).toEqual(counts);
    // Every sample line is well-formed Prometheus text.
    for (const line of text.trimEnd().split('\n')) expect(line).toMatch(/^(# (HELP|TYPE) \w+ .+|[a-z_]+(\{[a-z_]+="[A-Za-z_]+"\})? -?[\d.e+-]+)$/);
  });
});

describe('schema.graphql', () => {
  it('is the printed schema', () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    const printed = printSortedSchema();
    expect(committed.trimEnd() === printed.trimEnd(), 'schema.graphql is out of date: run npm run schema:print').toBe(true);
  });
});
