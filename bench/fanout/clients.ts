/**
 * The subscriber side of bench/fanout, in its own process: N graphql-ws clients (mode gql) or N raw
 * ws clients (mode raw). Prints "ready" once all are subscribed; on stdin "count" prints how many
 * messages arrived so far (warm-up events, with a negative sequence number, are not counted); on
 * "done" prints one JSON line { received, bySeq: { seq: [wall-clock receive times in ms] } } and exits.
 *   node --import tsx bench/fanout/clients.ts gql|raw URL TOKEN N
 */
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [mode, url, token, n] = process.argv.slice(2) as [string, string, string, string];
const N = Number(n);
const now = () => performance.timeOrigin + performance.now();
const bySeq = new Map<number, number[]>();
let received = 0;
const record = (summary: string) => {
  const t = now();
  const seq = Number(/seq (-?\d+)/.exec(summary)?.[1] ?? Number.NaN);
  if (seq < 0) return; // a warm-up event: not scored
  received++;
  let list = bySeq.get(seq);
  if (!list) bySeq.set(seq, (list = []));
  list.push(t);
};

const QUERY = 'subscription { checkStateChanged { kind status summary host { name } } }';
const ready: Promise<void>[] = [];
for (let i = 0; i < N; i++) {
  if (mode === 'gql-wire') {
    // The graphql-ws protocol by hand: per message the same work as a raw client (one JSON.parse),
    // so the two runs differ only in what the servers do.
    ready.push(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url, 'graphql-transport-ws');
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
        ws.on('error', reject);
        ws.on('close', (code) => reject(new Error(`closed ${code}`)));
        ws.on('message', (data) => {
          const m = JSON.parse(String(data)) as { type: string; payload: { data?: { checkStateChanged: { summary: string } } } };
          if (m.type === 'next') {
            if (m.payload.data) record(m.payload.data.checkStateChanged.summary);
            else process.stderr.write(`error payload ${JSON.stringify(m)}\n`);
          } else if (m.type === 'connection_ack') {
            ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: QUERY } }));
            setTimeout(resolve, 50);
          } else if (m.type === 'ping') ws.send('{"type":"pong"}');
        });
      }),
    );
  } else if (mode === 'gql') {
    ready.push(
      new Promise((resolve, reject) => {
        const client = createClient({ url, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false,
          on: { connected: () => setTimeout(resolve, 50), error: reject } });
        client.subscribe<{ checkStateChanged: { summary: string } }>({ query: QUERY }, {
          next: (r) => (r.data ? record(r.data.checkStateChanged.summary) : process.stderr.write(`error payload ${JSON.stringify(r)}\n`)),
          error: (e) => process.stderr.write(`subscription error ${JSON.stringify(e)}\n`),
          complete: () => {},
        });
      }),
    );
  } else {
    ready.push(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(url);
        ws.on('open', () => resolve());
        ws.on('error', reject);
        ws.on('message', (data) => {
          const m = JSON.parse(String(data)) as { payload: { data: { checkStateChanged: { summary: string } } } };
          record(m.payload.data.checkStateChanged.summary);
        });
      }),
    );
  }
  if (i % 50 === 49) await new Promise((r) => setTimeout(r, 20)); // do not stampede the server's accept queue
}
await Promise.all(ready);
process.stdout.write('ready\n');
process.stdin.on('data', (d) => {
  if (String(d).includes('count')) {
    process.stdout.write(`${received}\n`);
    return;
  }
  if (!String(d).includes('done')) return;
  process.stdout.write(`${JSON.stringify({ received, bySeq: Object.fromEntries(bySeq) })}\n`, () => process.exit(0));
});
