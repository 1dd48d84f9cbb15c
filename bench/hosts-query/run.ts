/**
 * bench/hosts-query: the dashboard page (100 hosts with groups and latest checks) and the whole
 * fleet matrix (10,000 hosts × 8 kinds) through HTTP, beside raw SQL + a trivial yoga round trip /
 * raw SQL + bare graphql-js, on Postgres and PGlite, with SQL statements per query.
 *
 *   npx tsx bench/hosts-query/run.ts [--requests 200] [--all-requests 200] [--pglite-history 200000]
 */
// First: sets NODE_ENV before graphql-js loads (keep this import above the others).
import '../lib/production-mode.js';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import {
  execute,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { createYoga } from 'graphql-yoga';
import postgres from 'postgres';
import { rollUpHealth } from '../../src/core/health.js';
import { type Database, openDatabase } from '../../src/db/client.js';
import { startCorral } from '../lib/corral.js';
import { startPostgres } from '../lib/pg.js';
import { log, printTable, type Row, summarize } from '../lib/report.js';

const { values: opts } = parseArgs({
  options: {
    requests: { type: 'string', default: '200' },
    'all-requests': { type: 'string', default: '10' },
    'pg-history': { type: 'string', default: '1000000' },
    'pglite-history': { type: 'string', default: '200000' },
    /** postgres, pglite or both (the PGlite-vs-Postgres rows need both). */
    db: { type: 'string', default: 'both' },
  },
});
const REQUESTS = Number(opts.requests);
const ALL_REQUESTS = Number(opts['all-requests']);
const HOSTS = 10_000;
const GROUPS = 50;
const KINDS = ['boinc', 'df', 'exec', 'ipmi', 'ping', 'sinfo', 'ssh', 'uptime'];

const PAGE_QUERY = 'query { hosts(first: 100) { edges { node { name health groups { name } checks { kind status summary } } } } }';
const pageQuery = (n: number) => `query { hosts(first: ${n}) { edges { node { name health groups { name } checks { kind status summary } } } } }`;
const ALL_QUERY = 'query { status { kinds rows { host { name } health cells { status summary } } } }';

async function seed(database: Database, historyRows: number): Promise<void> {
  const run = (text: string) => database.db.execute(sql.raw(text));
  await run(`INSERT INTO groups (name) SELECT 'g' || lpad(i::text, 2, '0') FROM generate_series(1, ${GROUPS}) i`);
  await run(`INSERT INTO hosts (name, address) SELECT 'n' || lpad(i::text, 5, '0'), '127.0.' || (i / 256) || '.' || (i % 256) FROM generate_series(1, ${HOSTS}) i`);
  await run(`INSERT INTO host_groups (host_id, group_id)
             SELECT h.id, g.id FROM hosts h JOIN groups g ON g.name = 'g' || lpad((1 + substr(h.name, 2)::int % ${GROUPS})::text, 2, '0')`);
  await run(`INSERT INTO check_definitions (name, kind, params, target, interval_s, timeout_s, enabled)
             SELECT k || '-check', k, '{}'::jsonb, '{"all": true}'::jsonb, 60, 30, false FROM unnest(ARRAY['${KINDS.join("','")}']) k`);
  await run(`INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, observed_at, since, next_due_at, result_count)
             SELECT h.id, d.id, d.kind, s.st, s.st, d.kind || ' ' || lower(s.st) || ': rtt 0.04 ms, 0% loss', now(), now(), now() + interval '1 day', 5
             FROM hosts h CROSS JOIN check_definitions d
             CROSS JOIN LATERAL (SELECT (ARRAY['OK','OK','OK','OK','OK','OK','WARN','CRIT'])[1 + (abs(hashtext(h.name || d.kind)) % 8)] AS st) s`);
  await run(`INSERT INTO check_results (host_id, check_id, kind, status, summary, observed_at, duration_ms)
             SELECT h.id, d.id, d.kind, 'OK', 'ok: rtt 0.04 ms', now() - (i || ' seconds')::interval, 1.5
             FROM generate_series(0, ${historyRows - 1}) i
             JOIN (SELECT id, row_number() OVER (ORDER BY name) - 1 AS rn FROM hosts) h ON h.rn = i % ${HOSTS}
             JOIN (SELECT id, kind, row_number() OVER (ORDER BY kind) - 1 AS rn FROM check_definitions) d ON d.rn = (i / ${HOSTS}) % ${KINDS.length}`);
  await run('ANALYZE');
}

/**
 * Raw queries giving the same rows, on the same backend, through its own client: the columns the
 * responses show (Corral reads only the check-state columns a query selects; so does the baseline).
 */
interface Raw {
  page(n: number): Promise<unknown>;
  all(): Promise<{ hosts: { id: string; name: string; enabled: boolean }[]; states: { host_id: string; kind: string; status: string; summary: string }[] }>;
  close(): Promise<void>;
}

function rawPostgres(url: string): Raw {
  const pg = postgres(url, { max: 4, onnotice: () => {} });
  return {
    async page(n) {
      const hs = await pg`SELECT * FROM hosts ORDER BY name LIMIT ${n + 1}`;
      const ids = hs.slice(0, n).map((h) => h.id as string);
      const [gs, cs] = [
        await pg`SELECT hg.host_id, g.* FROM host_groups hg JOIN groups g ON g.id = hg.group_id WHERE hg.host_id IN ${pg(ids)} ORDER BY g.name`,
        await pg`SELECT host_id, check_id, kind, status, summary FROM check_state WHERE host_id IN ${pg(ids)} ORDER BY kind`,
      ];
      return [hs, gs, cs];
    },
    async all() {
      const hosts = (await pg`SELECT * FROM hosts ORDER BY name`) as never;
      const states = (await pg`SELECT host_id, check_id, kind, status, summary FROM check_state`) as never;
      return { hosts, states };
    },
    close: () => pg.end({ timeout: 5 }),
  };
}

function rawPglite(client: PGlite): Raw {
  return {
    async page(n) {
      const hs = await client.query<{ id: string }>('SELECT * FROM hosts ORDER BY name LIMIT $1', [n + 1]);
      const ids = hs.rows.slice(0, n).map((h) => h.id);
      const list = ids.map((_, i) => `$${i + 1}`).join(',');
      const gs = await client.query(`SELECT hg.host_id, g.* FROM host_groups hg JOIN groups g ON g.id = hg.group_id WHERE hg.host_id IN (${list}) ORDER BY g.name`, ids);
      const cs = await client.query(`SELECT host_id, check_id, kind, status, summary FROM check_state WHERE host_id IN (${list}) ORDER BY kind`, ids);
      return [hs.rows, gs.rows, cs.rows];
    },
    async all() {
      const hosts = (await client.query('SELECT * FROM hosts ORDER BY name')).rows as never;
      const states = (await client.query('SELECT host_id, check_id, kind, status, summary FROM check_state')).rows as never;
      return { hosts, states };
    },
    close: async () => {},
  };
}

/** The same response shape as Query.status, on a bare graphql-js schema fed from raw rows. */
function bareStatusSchema(load: () => ReturnType<Raw['all']>): GraphQLSchema {
  const Cell = new GraphQLObjectType({ name: 'Cell', fields: { status: { type: new GraphQLNonNull(GraphQLString) }, summary: { type: new GraphQLNonNull(GraphQLString) } } });
  const HostT = new GraphQLObjectType({ name: 'Host', fields: { name: { type: new GraphQLNonNull(GraphQLString) } } });
  const RowT = new GraphQLObjectType({
    name: 'Row',
    fields: { host: { type: new GraphQLNonNull(HostT) }, health: { type: new GraphQLNonNull(GraphQLString) }, cells: { type: new GraphQLNonNull(new GraphQLList(Cell)) } },
  });
  const Matrix = new GraphQLObjectType({
    name: 'Matrix',
    fields: { kinds: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(GraphQLString))) }, rows: { type: new GraphQLNonNull(new GraphQLList(new GraphQLNonNull(RowT))) } },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        status: {
          type: new GraphQLNonNull(Matrix),
          resolve: async () => {
            const { hosts, states } = await load();
            const kinds = [...new Set(states.map((s) => s.kind))].sort();
            const by = new Map<string, Map<string, (typeof states)[number]>>();
            for (const s of states) {
              let m = by.get(s.host_id);
              if (!m) by.set(s.host_id, (m = new Map()));
              m.set(s.kind, s);
            }
            return {
              kinds,
              rows: hosts.map((h) => {
                const cells = kinds.map((k) => by.get(h.id)?.get(k) ?? null);
                return { host: h, cells, health: rollUpHealth(h.enabled, cells.flatMap((c) => (c ? [c.status as never] : []))) };
              }),
            };
          },
        },
      },
    }),
  });
}

async function time<T>(n: number, fn: () => Promise<T>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

interface BackendResult {
  kind: string;
  history: number;
  page: ReturnType<typeof summarize>;
  pageBase: ReturnType<typeof summarize>;
  all: ReturnType<typeof summarize>;
  allBase: ReturnType<typeof summarize>;
  statements: { label: string; total: number; data: number }[];
}

async function benchBackend(kind: 'postgres' | 'pglite', yogaUrl: string): Promise<BackendResult> {
  let pgStop: (() => Promise<void>) | null = null;
  let database: Database;
  let raw: Raw;
  const history = Number(kind === 'postgres' ? opts['pg-history'] : opts['pglite-history']);
  if (kind === 'postgres') {
    const pg = await startPostgres();
    pgStop = pg.stop;
    log(`postgres pid ${pg.pid} on ${pg.url}`);
    database = await openDatabase({ url: pg.url });
    raw = rawPostgres(pg.url);
  } else {
    database = await openDatabase({});
    raw = rawPglite((database.db as unknown as { $client: PGlite }).$client);
  }
  try {
    let t = performance.now();
    await seed(database, history);
    log(`${kind}: seeded ${HOSTS} hosts, ${GROUPS} groups, ${HOSTS * KINDS.length} states, ${history} history rows in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    const srv = await startCorral(database);
    try {
      // Correctness first: the responses have the rows they should.
      const page = JSON.parse((await srv.post(PAGE_QUERY)).body);
      if (page.errors || page.data.hosts.edges.length !== 100 || page.data.hosts.edges[0].node.checks.length !== 8) throw new Error(`page query wrong: ${JSON.stringify(page).slice(0, 500)}`);
      const all = JSON.parse((await srv.post(ALL_QUERY)).body);
      if (all.errors || all.data.status.rows.length !== HOSTS || all.data.status.rows[0].cells.length !== 8) throw new Error(`status query wrong: ${JSON.stringify(all).slice(0, 500)}`);

      // Statements per query: the server's own counter around one request; auth is measured alone.
      const stats = database.stats;
      const count = async (q: string) => {
        const before = stats.statements;
        const r = await srv.post(q);
        if (JSON.parse(r.body).errors) throw new Error(`query failed: ${r.body.slice(0, 300)}`);
        return stats.statements - before;
      };
      const auth = await count('query { __typename }');
      const statements = [];
      for (const [label, q] of [
        ['hosts(first:10)', pageQuery(10)],
        ['hosts(first:100)', pageQuery(100)],
        ['hosts(first:1000)', pageQuery(1000)],
        ['status (200 hosts, one group)', 'query { status(groups: ["g01"]) { kinds rows { host { name } health cells { status summary } } } }'],
        ['status (10,000 hosts)', ALL_QUERY],
      ] as const) {
        const total = await count(q);
        statements.push({ label, total, data: total - auth });
      }
      log(`${kind}: auth statements per request: ${auth}`);

      // Warm-up, then interleave nothing: each series runs back to back.
      for (let i = 0; i < 10; i++) {
        await srv.post(PAGE_QUERY);
        await raw.page(100);
      }
      const trivial = () => fetch(yogaUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}' }).then((r) => r.text());
      t = performance.now();
      const pageS = await time(REQUESTS, () => srv.post(PAGE_QUERY));
      const pageBaseS = await time(REQUESTS, async () => {
        JSON.stringify(await raw.page(100));
        await trivial();
      });
      log(`${kind}: page series done in ${((performance.now() - t) / 1000).toFixed(1)} s`);

      const bare = bareStatusSchema(() => raw.all());
      const bareDoc = parse('{ status { kinds rows { host { name } health cells { status summary } } } }');
      for (let i = 0; i < 3; i++) {
        await srv.post(ALL_QUERY);
        JSON.stringify(await execute({ schema: bare, document: bareDoc }));
      }
      t = performance.now();
      const allS = await time(ALL_REQUESTS, () => srv.post(ALL_QUERY));
      const allBaseS = await time(ALL_REQUESTS, async () => {
        const r = await execute({ schema: bare, document: bareDoc });
        if ((r as { errors?: unknown }).errors) throw new Error(JSON.stringify((r as { errors?: unknown }).errors));
        JSON.stringify(r);
      });
      log(`${kind}: all-hosts series done in ${((performance.now() - t) / 1000).toFixed(1)} s`);
      return { kind, history, page: summarize(pageS), pageBase: summarize(pageBaseS), all: summarize(allS), allBase: summarize(allBaseS), statements };
    } finally {
      await srv.stop(); // also closes the database
    }
  } finally {
    await raw.close();
    if (pgStop) await pgStop();
  }
}

async function main() {
  // The trivial yoga server: same process, same node http, one field.
  const yoga = createYoga({ schema: bareStatusSchema(async () => ({ hosts: [], states: [] })), logging: false, landingPage: false });
  const http = createHttpServer(yoga);
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
  const yogaUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  const results: BackendResult[] = [];
  try {
    for (const kind of ['postgres', 'pglite'] as const) if (opts.db === 'both' || opts.db === kind) results.push(await benchBackend(kind, yogaUrl));
  } finally {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  }

  process.stdout.write(`\nrequests: page ${REQUESTS}, all-hosts ${ALL_REQUESTS}; history rows: ${results.map((r) => `${r.kind} ${r.history}`).join(', ')}\n`);
  for (const r of results) {
    process.stdout.write(`\n${r.kind}: SQL statements per request (auth included; "data" = minus the statements of an authenticated { __typename })\n`);
    for (const s of r.statements) process.stdout.write(`  ${s.label.padEnd(32)} total ${s.total}  data ${s.data}\n`);
  }
  const rows: Row[] = [];
  for (const r of results) {
    rows.push(
      { name: `${r.kind} page of 100 p50`, measured: r.page.p50, baseline: r.pageBase.p50, unit: 'ms', maxRatio: 1.5, note: 'baseline: raw SQL + trivial yoga round trip' },
      { name: `${r.kind} page of 100 p99`, measured: r.page.p99, baseline: r.pageBase.p99, unit: 'ms', maxRatio: 1.5 },
      { name: `${r.kind} all 10,000 p50`, measured: r.all.p50, baseline: r.allBase.p50, unit: 'ms', maxRatio: 1.3, note: 'baseline: raw SQL + bare graphql-js + JSON' },
      { name: `${r.kind} all 10,000 p99`, measured: r.all.p99, baseline: r.allBase.p99, unit: 'ms', maxRatio: 1.3 },
    );
    const data = r.statements.map((s) => s.data);
    const constant = data.slice(0, 3).every((d) => d === data[0]) && data.slice(3).every((d) => d === data[3]);
    rows.push({
      name: `${r.kind} data statements/query`,
      measured: Math.max(...data),
      baseline: 0,
      unit: 'stmts',
      maxAbsolute: constant ? 3 : -1,
      note: `${data.join('/')} for first:10/100/1000, status 200/10k; ${constant ? 'constant' : 'NOT constant'}; +${r.statements[0]!.total - r.statements[0]!.data} auth`,
    });
  }
  const pg = results.find((r) => r.kind === 'postgres');
  const lite = results.find((r) => r.kind === 'pglite');
  if (pg && lite) {
    rows.push(
      { name: 'PGlite vs Postgres page p50', measured: lite.page.p50, baseline: pg.page.p50, unit: 'ms', maxRatio: 3 },
      { name: 'PGlite vs Postgres all p50', measured: lite.all.p50, baseline: pg.all.p50, unit: 'ms', maxRatio: 3 },
    );
  }
  printTable('bench/hosts-query', rows);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
