/**
 * bench/fanout: 1,000 graphql-ws subscribers to checkStateChanged, 50 state changes per second;
 * delivery latency p50/p99 (measured at the clients, in another process) and server CPU per
 * delivery, beside a raw `ws` broadcast of the same payload to 1,000 raw sockets in the same run.
 * Latency counts from when each change was due, so a sender that falls behind shows (see drive);
 * the latency from the actual write is printed beside it. The scored subscribers speak graphql-ws by
 * hand, doing per message what the raw clients do (one JSON.parse); a run with graphql-ws's own
 * createClient subscribers is printed as information (--skip-library skips it).
 *
 *   npx tsx bench/fanout/run.ts [--clients 1000] [--rate 50] [--seconds 10] [--skip-library]
 */
// First: sets NODE_ENV before graphql-js loads (keep this import above the others).
import '../lib/production-mode.js';
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { WebSocketServer } from 'ws';
import { checkStateEvent } from '../../src/core/checks/state-event.js';
import type { StateWrite } from '../../src/core/checks/write-results.js';
import type { CheckStatus } from '../../src/core/plugin.js';
import { openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { startCorral } from '../lib/corral.js';
import { log, printTable, type Row, summarize } from '../lib/report.js';

const { values: opts } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '10' },
    /** Skip the (information) run with graphql-ws's own createClient subscribers. */
    'skip-library': { type: 'boolean', default: false },
  },
});
const CLIENTS = Number(opts.clients);
const RATE = Number(opts.rate);
const SECONDS = Number(opts.seconds);
const EVENTS = RATE * SECONDS;
const ROOT = new URL('../../', import.meta.url).pathname;
const now = () => performance.timeOrigin + performance.now();

function startClients(
  mode: 'gql' | 'gql-wire' | 'raw',
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
  /** From the moment the change was due (the schedule), so a sender that falls behind is counted too. */
  latency: ReturnType<typeof summarize>;
  /** From the moment the change was actually written: hides a sender held up by its own broadcasts. */
  fromEmit: ReturnType<typeof summarize>;
  /** How late the sender got round to each change (the raw broadcast sends inline, so it lags under load). */
  senderLag: ReturnType<typeof summarize>;
  cpuUsPerDelivery: number;
  received: number;
  expected: number;
}

/**
 * Sends EVENTS events at RATE/s via `emit(seq)` (after a warm-up with negative sequence numbers),
 * then collects and scores the clients' receive times.
 * Latency counts from each change's scheduled time, not from when the sender got to it: the raw
 * broadcast writes to every socket before it can emit the next change, and timing from emission
 * would leave out exactly the queueing a slow broadcast causes (coordinated omission).
 */
async function drive(clients: Awaited<ReturnType<typeof startClients>>, emit: (seq: number) => Promise<void>): Promise<Result> {
  // Warm-up (not scored): a second of events at the same rate, then a pause, so neither path is
  // measured while it is still compiling its send path or collecting the garbage of 1,000 connects.
  const w0 = performance.now();
  for (let i = 0; i < RATE; i++) {
    const wait = w0 + (i * 1000) / RATE - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    await emit(-1 - i);
  }
  await new Promise((r) => setTimeout(r, 1000));
  const sent = new Map<number, number>();
  const due = new Map<number, number>();
  const lags: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let seq = 0; seq < EVENTS; seq++) {
    const at = t0 + (seq * 1000) / RATE;
    const wait = at - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lags.push(Math.max(0, performance.now() - at));
    due.set(seq, performance.timeOrigin + at);
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
  const fromEmit: number[] = [];
  for (const [seq, times] of Object.entries(bySeq)) {
    const d = due.get(Number(seq));
    const s = sent.get(Number(seq));
    if (d === undefined || s === undefined) continue;
    for (const t of times) {
      lat.push(t - d);
      fromEmit.push(t - s);
    }
  }
  return {
    latency: summarize(lat),
    fromEmit: summarize(fromEmit),
    senderLag: summarize(lags),
    cpuUsPerDelivery: (cpu.user + cpu.system) / Math.max(1, received),
    received,
    expected,
  };
}

async function main() {
  const database = await openDatabase({});
  const run = async (text: string) => rowsOf<Record<string, unknown>>(await database.db.execute(sql.raw(text)));
  await run(`INSERT INTO hosts (name) SELECT 'n' || lpad(i::text, 3, '0') FROM generate_series(1, ${RATE}) i`);
  await run(`INSERT INTO check_definitions (name, kind, interval_s, timeout_s, enabled) VALUES ('ping', 'ping', 60, 30, false)`);
  await run(`INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, observed_at, since, next_due_at)
             SELECT h.id, d.id, d.kind, 'OK', 'OK', 'seq -1', now(), now(), now() FROM hosts h, check_definitions d`);
  const states = await run('SELECT host_id, check_id, kind FROM check_state ORDER BY host_id');
  /**
   * A state change as the scheduler makes one: the row written (its summary carries the sequence
   * number), the new state and the host row in hand for the event. One statement, in both runs.
   */
  const change = async (seq: number) => {
    const s = states[((seq % states.length) + states.length) % states.length]!;
    const status = seq % 2 ? 'CRIT' : 'OK';
    const [r] = await run(
      `UPDATE check_state cs SET status = '${status}', last_status = '${status}', summary = 'seq ${seq}', observed_at = now(), since = now()
       FROM hosts h WHERE h.id = cs.host_id AND cs.host_id = '${s.host_id}' AND cs.check_id = '${s.check_id}'
       RETURNING cs.*, h.name, h.address, h.labels, h.enabled, h.disabled_reason, h.created_at, h.updated_at`,
    );
    const row = r!;
    const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
    const write: StateWrite = {
      hostId: String(row.host_id),
      checkId: String(row.check_id),
      kind: String(row.kind),
      status: row.status as CheckStatus,
      lastStatus: row.last_status as CheckStatus,
      summary: String(row.summary),
      metrics: json(row.metrics) ?? null,
      observedAt: new Date(row.observed_at as string),
      since: new Date(row.since as string),
      consecutiveFailures: Number(row.consecutive_failures),
      consecutiveOk: Number(row.consecutive_ok),
      nextDueAt: new Date(row.next_due_at as string),
      backoffS: Number(row.backoff_s),
      durationMs: Number(row.duration_ms),
      resultCount: Number(row.result_count),
      changed: true,
    };
    const host = {
      id: write.hostId,
      name: String(row.name),
      address: (row.address as string | null) ?? null,
      labels: json(row.labels) ?? {},
      enabled: Boolean(row.enabled),
      disabledReason: (row.disabled_reason as string | null) ?? null,
      createdAt: new Date(row.created_at as string),
      updatedAt: new Date(row.updated_at as string),
    };
    return { write, host };
  };
  const srv = await startCorral(database);
  const wsUrl = `${srv.url.replace('http', 'ws')}/graphql`;
  let gql: Result | null = null;
  let gqlLibrary: Result | null = null;
  let raw: Result;
  let sample = '';
  try {
    // graphql-ws: a state change = the row written (summary carries the sequence number), then published.
    // Scored with subscribers that speak the protocol by hand (one JSON.parse per message, as the raw
    // clients do), so the runs differ only in the servers; graphql-ws's createClient does more per
    // message, and 1,000 of them in one process queue behind each other (measured too, as information).
    for (const mode of !opts['skip-library'] ? (['gql-wire', 'gql'] as const) : (['gql-wire'] as const)) {
      log(`connecting ${CLIENTS} graphql-ws subscribers (${mode === 'gql' ? 'graphql-ws createClient' : 'protocol by hand'}) …`);
      const gqlClients = await startClients(mode, wsUrl, srv.token);
      try {
        log(`sending ${EVENTS} state changes at ${RATE}/s`);
        const r = await drive(gqlClients, async (seq) => {
          const { write, host } = await change(seq);
          await srv.server.app.pubsub.publish('checkStateChanged', checkStateEvent(write, [], host));
        });
        if (mode === 'gql') gqlLibrary = r;
        else gql = r;
      } finally {
        await stopChild(gqlClients.child);
      }
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
        // The same database write as above, so the only difference is the delivery path.
        const { write } = await change(seq);
        const status = write.status;
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
  const line = (r: Result) =>
    `received ${r.received}, p50 ${r.latency.p50.toFixed(1)} ms, p99 ${r.latency.p99.toFixed(1)} ms (from emission: p50 ${r.fromEmit.p50.toFixed(1)}, p99 ${r.fromEmit.p99.toFixed(1)}; sender behind schedule p99 ${r.senderLag.p99.toFixed(1)} ms), CPU ${r.cpuUsPerDelivery.toFixed(1)} µs/delivery`;
  if (!gql) throw new Error('the graphql-ws run did not complete');
  process.stdout.write(`graphql-ws: ${line(gql)}\n`);
  if (gqlLibrary) process.stdout.write(`graphql-ws, createClient subscribers: ${line(gqlLibrary)}\n`);
  process.stdout.write(`raw ws:     ${line(raw)}\n`);
  const rows: Row[] = [
    { name: 'delivery latency p50', measured: gql.latency.p50, baseline: raw.latency.p50, unit: 'ms', note: 'from the scheduled change; baseline: raw ws broadcast' },
    { name: 'delivery latency p99', measured: gql.latency.p99, baseline: raw.latency.p99, unit: 'ms', maxRatio: 1.5, note: 'from the scheduled change' },
    ...(gqlLibrary
      ? [{ name: 'p99 with createClient subscribers', measured: (gqlLibrary as Result).latency.p99, baseline: raw.latency.p99, unit: 'ms', note: "graphql-ws's client library in the 1,000 subscribers: its own per-message work" }]
      : []),
    { name: 'delivery latency p99, from emission', measured: gql.fromEmit.p99, baseline: raw.fromEmit.p99, unit: 'ms', note: 'leaves out a sender held up by its own broadcast' },
    { name: 'sender behind schedule p99', measured: gql.senderLag.p99, baseline: raw.senderLag.p99, unit: 'ms', note: 'how late each change was written' },
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
