/**
 * PGlite on a worker thread (src/db/pglite-worker.mjs), behind the part of PGlite's client that
 * drizzle and Corral use: query, exec, transaction, listen, close. PGlite runs Postgres as
 * WebAssembly and blocks its thread while a statement runs; on its own thread, the server keeps
 * answering while a sweep writes 10,000 rows.
 *
 * Transactions: PGlite has one connection. A transaction holds a lock here, so statements from
 * outside it wait until it ends (PGlite's own transaction() does the same); the worker runs
 * operations one at a time, in the order they were sent.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PROJECT_ROOT } from '../paths.js';

const WORKER_FILE = join(PROJECT_ROOT, 'src', 'db', 'pglite-worker.mjs');

export interface QueryResult<T = Record<string, unknown>> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

interface QueryOptions {
  rowMode?: 'array' | 'object';
  /** Only drizzle passes parsers (its own fixed set); the worker applies that set. */
  parsers?: Record<number, (value: string) => unknown>;
}

export interface PgliteClient {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[], options?: QueryOptions): Promise<QueryResult<T>>;
  exec(sql: string): Promise<QueryResult[]>;
  transaction<T>(fn: (tx: Pick<PgliteClient, 'query' | 'exec'>) => Promise<T>): Promise<T>;
  listen(channel: string, onPayload: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

type WorkerError = { message: string } & Record<string, unknown>;
type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: WorkerError };
type Notification = { channel: string; payload: string };

/** A database error as the caller would get it from PGlite: message, code, detail … */
function toError(e: WorkerError): Error {
  return Object.assign(new Error(e.message), e);
}

export async function openPgliteThread(dataDir: string | undefined): Promise<PgliteClient> {
  const worker = new Worker(WORKER_FILE, { workerData: { dataDir } });
  await new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready?: boolean; error?: WorkerError }) => {
      if (m.ready === undefined) return;
      worker.off('error', onError);
      worker.off('message', onMessage);
      if (m.ready) resolve();
      else {
        void worker.terminate();
        reject(toError(m.error ?? { message: 'PGlite did not start' }));
      }
    };
    const onError = (e: Error) => reject(e);
    worker.on('message', onMessage);
    worker.once('error', onError);
  });

  let nextId = 1;
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<string, Set<(payload: string) => void>>();
  let dead: Error | null = null;
  worker.on('message', (m: Reply | Notification) => {
    if ('channel' in m) {
      for (const l of listeners.get(m.channel) ?? []) l(m.payload);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.ok) p.resolve(m.result);
    else p.reject(toError(m.error));
  });
  const fail = (e: Error) => {
    dead = e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('error', (e) => fail(new Error(`the embedded database thread failed: ${e.message}`)));
  worker.on('exit', (code) => fail(new Error(`the embedded database thread exited (${code})`)));

  const send = <T>(msg: Record<string, unknown>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (dead) return reject(dead);
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      worker.postMessage({ ...msg, id });
    });

  const query = <T>(sql: string, params: unknown[] = [], options: QueryOptions = {}) =>
    send<QueryResult<T>>({ op: 'query', sql, params, rowMode: options.rowMode ?? 'object', drizzleParsers: options.parsers !== undefined });
  const exec = (sql: string) => send<QueryResult[]>({ op: 'exec', sql });

  /** The open transaction (settles when it ends); statements from outside it wait. */
  let active: Promise<void> | null = null;
  /** The last transaction queued: transactions run one after another. */
  let queued: Promise<void> = Promise.resolve();
  const outside = async <T>(run: () => Promise<T>): Promise<T> => {
    while (active) await active;
    return run();
  };

  return {
    query: (sql, params, options) => outside(() => query(sql, params, options)),
    exec: (sql) => outside(() => exec(sql)),
    async transaction(fn) {
      let end!: () => void;
      const mine = new Promise<void>((r) => (end = r));
      const before = queued;
      queued = before.then(() => mine);
      await before;
      while (active) await active;
      active = mine;
      try {
        await exec('BEGIN');
        try {
          const result = await fn({ query, exec });
          await exec('COMMIT');
          return result;
        } catch (e) {
          await exec('ROLLBACK').catch(() => {});
          throw e;
        }
      } finally {
        active = null;
        end();
      }
    },
    async listen(channel, onPayload) {
      let set = listeners.get(channel);
      if (!set) {
        listeners.set(channel, (set = new Set()));
        await send({ op: 'listen', channel });
      }
      set.add(onPayload);
      return async () => {
        set.delete(onPayload);
        if (set.size === 0 && listeners.get(channel) === set) {
          listeners.delete(channel);
          if (!dead) await send({ op: 'unlisten', channel });
        }
      };
    },
    async close() {
      if (!dead) await send({ op: 'close' }).catch(() => {});
      await worker.terminate();
    },
  };
}
