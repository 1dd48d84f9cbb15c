// The embedded database's own thread (src/db/pglite-thread.ts starts it). PGlite runs Postgres as
// WebAssembly, synchronously: on the main thread a 10,000-row statement froze the server (HTTP,
// websockets, timers) for the ~300 ms it ran. Here it runs beside the event loop instead.
// Plain JavaScript so that the same file runs under tsx, vitest and the bundle without a loader.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite, types } from '@electric-sql/pglite';

/** drizzle's PGlite driver keeps dates and intervals as text (it maps them itself). Functions do not cross threads: a query that asks for parsers gets these. */
const keepText = (value) => value;
const DRIZZLE_PARSERS = {
  [types.TIMESTAMP]: keepText,
  [types.TIMESTAMPTZ]: keepText,
  [types.INTERVAL]: keepText,
  [types.DATE]: keepText,
  1231: keepText,
  1115: keepText,
  1185: keepText,
  1187: keepText,
  1182: keepText,
};

/** What crosses back for a failed statement: the fields of PGlite's DatabaseError. */
function errorOf(e) {
  const out = { message: e instanceof Error ? e.message : String(e) };
  if (e && typeof e === 'object') {
    for (const k of ['code', 'detail', 'hint', 'severity', 'constraint', 'table', 'column', 'schema', 'position', 'where']) {
      if (e[k] !== undefined) out[k] = e[k];
    }
  }
  return out;
}

let db;
const unlisten = new Map();

async function handle(msg) {
  switch (msg.op) {
    case 'query': {
      const r = await db.query(msg.sql, msg.params, { rowMode: msg.rowMode, ...(msg.drizzleParsers ? { parsers: DRIZZLE_PARSERS } : {}) });
      return { rows: r.rows, fields: r.fields, affectedRows: r.affectedRows };
    }
    case 'exec': {
      const results = await db.exec(msg.sql);
      return results.map((r) => ({ rows: r.rows, fields: r.fields, affectedRows: r.affectedRows }));
    }
    case 'listen': {
      if (!unlisten.has(msg.channel)) unlisten.set(msg.channel, await db.listen(msg.channel, (payload) => parentPort.postMessage({ channel: msg.channel, payload })));
      return null;
    }
    case 'unlisten': {
      const stop = unlisten.get(msg.channel);
      unlisten.delete(msg.channel);
      if (stop) await stop();
      return null;
    }
    case 'close':
      await db.close();
      return null;
    default:
      throw new Error(`unknown operation ${msg.op}`);
  }
}

// Operations run one at a time in arrival order: a transaction's statements, sent while the main
// thread holds its transaction lock, are never interleaved with anything else.
let queue = Promise.resolve();
parentPort.on('message', (msg) => {
  queue = queue.then(async () => {
    try {
      parentPort.postMessage({ id: msg.id, ok: true, result: await handle(msg) });
    } catch (e) {
      parentPort.postMessage({ id: msg.id, ok: false, error: errorOf(e) });
    }
  });
});

/**
 * A full collection of this thread's heap, on the next turn of its loop (sooner, the initdb
 * instance is still referenced). PGlite runs initdb in a second Postgres instance of ~500 MB,
 * garbage once it has run; but a thread that mostly waits for messages is not collected: after a
 * first boot the server stayed at ~850 MB resident for its whole life. V8 offers no other way to
 * ask for a collection.
 */
function collectGarbageSoon() {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  // Flags are process-wide and part of what V8 checks a code cache against: left on, the server's
  // code cache (scripts/run-bundle.cjs) written after a first boot was refused on every restart.
  setFlagsFromString('--no-expose-gc');
  setTimeout(() => gc(), 0);
}

try {
  // A directory without PG_VERSION (or none: in memory) is initialised by this create.
  const initdb = !workerData.dataDir || !existsSync(join(workerData.dataDir, 'PG_VERSION'));
  db = await PGlite.create({ dataDir: workerData.dataDir });
  if (initdb) collectGarbageSoon();
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ ready: false, error: errorOf(e) });
}
