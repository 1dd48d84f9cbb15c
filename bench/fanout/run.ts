/**
 * bench/fanout: 1,000 graphql-ws subscribers to checkStateChanged, 50 state changes per second;
 * delivery latency p50/p99 (measured at the clients, in another process) and server CPU per
 * delivery, beside a raw `ws` broadcast of the same payload to 1,000 raw sockets in the same run.
 *
 *   npx tsx bench/fanout/run.ts [--clients 1000] [--rate 50] [--seconds 10]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { WebSocketServer } from 'ws';
import { openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { startCorral } from '../lib/corral.js';
import { log, printTable, type Row, summarize } from '../lib/report.js';

const { values: opts } = parseArgs({
  options: { clients: { type: 'string', default: '1000' }, rate: { type: 'string', default: '50' }, seconds: { type: 'string', default: '10' } },
});
const CLIENTS = Number(opts.clients);
const RATE = Number(opts.rate);
const SECONDS = Number(opts.seconds);
const EVENTS = RATE * SECONDS;
const ROOT = new URL('../../', import.meta.url).pathname;
const now = () => performance.timeOrigin + performance.now();

function startClients(
  mode: 'gql' | 'raw',
  url: string,
  token: string,
): Promise<{ child: ChildProcess; count(): Promise<number>; collect(): Promise<{ received: number; bySeq: Record<string, number[]> }> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/fanout/clients.ts', mode, url, token, String(CLIENTS)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const lines = createInterface({ input: child.stdout! });
  const queue: string[] = [];
  let waiter: ((l: string) => void) | null = null;
  lines.on('line', (l) => {
    const w = waiter;
    waiter = null;
    if (w) w(l);
    else queue.push(l);
  });
  const next = () => new Promise<string>((r, j) => {
    if (queue.length) return r(queue.shift()!);
    waiter = r;
    child.once('exit', (c) => j(new Error(`clients exited ${c}: ${stderr.slice(0, 500)}`)));
  });
  return next().then((l) => {
    if (l !== 'ready') throw new Error(`clients: ${l} ${stderr.slice(0, 500)}`);
    return {
      child,
      async count() {
        child.stdin!.write('count\n');
        return Number(await next());
      },
      async collect() {
        child.stdin!.write('done\n');
        return JSON.parse(await next());
      },
    };
  });
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
}

interface Result {
  latency: ReturnType<typeof summarize>;
  cpuUsPerDelivery: number;
  received: number;
  expected: number;
}

/** Sends EVENTS events at RATE/s via `emit(seq)`, then collects and scores the clients' receive times. */
async function drive(clients: Awaited<ReturnType<typeof startClients>>, emit: (seq: number) => Promise<void>): Promise<Result> {
  const sent = new Map<number, number>();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let seq = 0; seq < EVENTS; seq++) {
    const due = t0 + (seq * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    sent.set(seq, now());
    await emit(seq);
  }
  // The CPU window closes when every delivery has arrived (or nothing arrived for 5 s).
  const expected = EVENTS * CLIENTS;
  let last = -1;
  let stalledSince = performance.now();
  for (;;) {
    const n = await clients.count();
    if (n >= expected) break;
    if (n !== last) {
      last = n;
      stalledSince = performance.now();
    } else if (performance.now() - stalledSince > 5000) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const cpu = process.cpuUsage(cpu0);
  const { received, bySeq } = await clients.collect();
  const lat: number[] = [];
  for (const [seq, times] of Object.entries(bySeq)) {
    const s = sent.get(Number(seq));
    if (s !== undefined) for (const t of times) lat.push(t - s);
  }
  return { latency: summarize(lat), cpuUsPerDelivery: (cpu.user + cpu.system) / Math.max(1, received), received, expected: EVENTS * CLIENTS };
}

async function main() {
  const database = await openDatabase({});
  const run = async (text: string) => rowsOf<Record<string, unknown>>(await database.db.execute(sql.raw(text)));
  await run(`INSERT INTO hosts (name) SELECT 'n' || lpad(i::text, 3, '0') FROM generate_series(1, ${RATE}) i`);
  await run(`INSERT INTO check_definitions (name, kind, interval_s, timeout_s, enabled) VALUES ('ping', 'ping', 60, 30, false)`);
  await run(`INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, observed_at, since, next_due_at)
             SELECT h.id, d.id, d.kind, 'OK', 'OK', 'seq -1', now(), now(), now() FROM hosts h, check_definitions d`);
  const states = await run('SELECT host_id, check_id, kind FROM check_state ORDER BY host_id');
  const srv = await startCorral(database);
  const wsUrl = `${srv.url.replace('http', 'ws')}/graphql`;
  let gql: Result;
  let raw: Result;
  let sample = '';
  try {
    // graphql-ws: a state change = the row written (summary carries the sequence number), then published.
    log(`connecting ${CLIENTS} graphql-ws subscribers …`);
    const gqlClients = await startClients('gql', wsUrl, srv.token);
    try {
      log(`sending ${EVENTS} state changes at ${RATE}/s`);
      gql = await drive(gqlClients, async (seq) => {
        const s = states[seq % states.length]!;
        const status = seq % 2 ? 'CRIT' : 'OK';
        await run(`UPDATE check_state SET status = '${status}', summary = 'seq ${seq}' WHERE host_id = '${s.host_id}' AND check_id = '${s.check_id}'`);
        await srv.server.app.pubsub.publish('checkStateChanged', { hostId: String(s.host_id), checkId: String(s.check_id), kind: String(s.kind), groupIds: [], status });
      });
    } finally {
      await stopChild(gqlClients.child);
    }
    const [row] = await run(`SELECT h.name, cs.kind, cs.status FROM check_state cs JOIN hosts h ON h.id = cs.host_id LIMIT 1`);
    sample = JSON.stringify({ kind: row!.kind, status: row!.status, summary: 'seq 0', host: { name: row!.name } });

    // Raw ws: the same bytes graphql-ws would send ({"id","type":"next","payload":{"data":…}}), broadcast.
    const http = createHttpServer();
    const wss = new WebSocketServer({ server: http });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const rawClients = await startClients('raw', `ws://127.0.0.1:${(http.address() as AddressInfo).port}`, '');
    try {
      raw = await drive(rawClients, async (seq) => {
        const s = states[seq % states.length]!;
        const status = seq % 2 ? 'CRIT' : 'OK';
        // The same database write as above, so the only difference is the delivery path.
        await run(`UPDATE check_state SET status = '${status}', summary = 'seq ${seq}' WHERE host_id = '${s.host_id}' AND check_id = '${s.check_id}'`);
        const msg = JSON.stringify({ id: '1', type: 'next', payload: { data: { checkStateChanged: { ...JSON.parse(sample), status, summary: `seq ${seq}` } } } });
        for (const c of wss.clients) c.send(msg);
      });
    } finally {
      await stopChild(rawClients.child);
      for (const c of wss.clients) c.terminate();
      wss.close();
      http.closeAllConnections();
      await new Promise((r) => http.close(r));
    }
  } finally {
    await srv.stop();
  }
  process.stdout.write(`\n${CLIENTS} subscribers, ${RATE} changes/s for ${SECONDS} s (${EVENTS} events, ${EVENTS * CLIENTS} deliveries expected); server on PGlite in memory; clients in a child process\n`);
  process.stdout.write(`graphql-ws: received ${gql.received}, p50 ${gql.latency.p50.toFixed(1)} ms, p99 ${gql.latency.p99.toFixed(1)} ms, CPU ${gql.cpuUsPerDelivery.toFixed(1)} µs/delivery\n`);
  process.stdout.write(`raw ws:     received ${raw.received}, p50 ${raw.latency.p50.toFixed(1)} ms, p99 ${raw.latency.p99.toFixed(1)} ms, CPU ${raw.cpuUsPerDelivery.toFixed(1)} µs/delivery\n`);
  const rows: Row[] = [
    { name: 'delivery latency p50', measured: gql.latency.p50, baseline: raw.latency.p50, unit: 'ms', note: 'baseline: raw ws broadcast' },
    { name: 'delivery latency p99', measured: gql.latency.p99, baseline: raw.latency.p99, unit: 'ms', maxRatio: 1.5 },
    { name: 'server CPU per delivery', measured: gql.cpuUsPerDelivery, baseline: raw.cpuUsPerDelivery, unit: 'µs', maxRatio: 1.5, note: 'process.cpuUsage of the server process / deliveries received' },
    { name: 'lost deliveries (graphql-ws)', measured: gql.expected - gql.received, baseline: 0, unit: 'msgs', maxAbsolute: 0, note: `of ${gql.expected}` },
    { name: 'lost deliveries (raw ws)', measured: raw.expected - raw.received, baseline: 0, unit: 'msgs', note: `of ${raw.expected}` },
  ];
  printTable('bench/fanout', rows);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
