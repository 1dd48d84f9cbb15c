/**
 * Events between server processes travel over Postgres LISTEN/NOTIFY (PGlite too), so every replica
 * delivers every event. Payloads carry ids (NOTIFY is limited to 8000 bytes) and subscribers load
 * what they need; checkStateChanged also carries the written state and host when they fit, because
 * it is the high-rate topic and a read per event is what limited its fan-out (see
 * core/checks/state-event.ts). The topic map is the one place that names the events.
 */
import type { Database } from '../db/client.js';
import type { Logger } from './logger.js';

/** A check state as it travels in checkStateChanged: the check_state row without its keys, dates as ISO strings. */
export interface CheckStateWire {
  lastStatus: string;
  summary: string;
  metrics: Record<string, number> | null;
  observedAt: string;
  since: string;
  consecutiveFailures: number;
  consecutiveOk: number;
  nextDueAt: string;
  backoffS: number;
  durationMs: number;
  resultCount: number;
}

/** A hosts row as it travels in checkStateChanged (no secrets live in that table). */
export interface HostWire {
  name: string;
  address: string | null;
  labels: Record<string, string>;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface Topics {
  /** `health`: only the host's health changed (a check result), not the inventory. */
  hostUpdated: { hostId: string; groupIds: string[]; health?: true };
  /** `state` and `host` are left out when too big for NOTIFY; subscribers then read them. */
  checkStateChanged: { hostId: string; checkId: string; kind: string; groupIds: string[]; status: string; state?: CheckStateWire; host?: HostWire };
  auditEvent: { id: number; targets: string[] };
  tokenRevoked: { tokenId: string };
  /** Users, grants, tokens, groups or agent names changed (a database trigger sends it): cached principals are stale. */
  authChanged: Record<string, never>;
  monitorAlert: { message: string; failing: number; total: number; kind: string };
  /** Check definitions or inventory changed: the scheduler re-syncs its targets. */
  checksChanged: Record<string, never>;
}
export type TopicName = keyof Topics;

type Envelope = { [K in TopicName]: { topic: K; payload?: Topics[K]; payloads?: Topics[K][] } }[TopicName];

/** NOTIFY payloads are limited to 8000 bytes; batches are cut below that. */
const MAX_NOTIFY_BYTES = 7500;

const CHANNEL = 'corral_events';

export interface PubSub {
  publish<K extends TopicName>(topic: K, payload: Topics[K]): Promise<void>;
  /** Many events of one topic in as few notifications as fit (a sweep's state changes). */
  publishMany<K extends TopicName>(topic: K, payloads: Topics[K][]): Promise<void>;
  /** Async iterator of one topic's events; ends when `signal` aborts or the pubsub closes. */
  subscribe<K extends TopicName>(topic: K, signal?: AbortSignal): AsyncIterableIterator<Topics[K]>;
  /** Callback form, for engines (not GraphQL); returns the unsubscribe function. */
  on<K extends TopicName>(topic: K, listener: (payload: Topics[K]) => void): () => void;
  close(): Promise<void>;
}

export async function createPubSub(database: Database, log: Logger): Promise<PubSub> {
  const listeners = new Map<TopicName, Set<(payload: unknown) => void>>();
  const dispatch = (raw: string) => {
    let env: Envelope;
    try {
      env = JSON.parse(raw) as Envelope;
    } catch {
      log.warn('ignoring malformed event payload');
      return;
    }
    const payloads = env.payloads ?? (env.payload !== undefined ? [env.payload] : []);
    for (const l of listeners.get(env.topic) ?? []) {
      for (const p of payloads) {
        try {
          l(p);
        } catch (e) {
          log.error('event listener failed', { topic: env.topic, error: String(e) });
        }
      }
    }
  };
  const unlisten = await database.listen(CHANNEL, dispatch);
  const closers = new Set<() => void>();

  const on: PubSub['on'] = (topic, listener) => {
    let set = listeners.get(topic);
    if (!set) listeners.set(topic, (set = new Set()));
    const l = listener as (p: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  };

  return {
    async publish(topic, payload) {
      await database.notify(CHANNEL, JSON.stringify({ topic, payload }));
    },
    async publishMany(topic, payloads) {
      let batch: string[] = [];
      let size = 0;
      let sent = 0;
      const flush = async () => {
        if (!batch.length) return;
        // PGlite runs NOTIFY in-process without giving the event loop a turn: thousands of events
        // (a sweep where every state changes) would block it for the whole burst.
        if (sent++ > 0) await new Promise<void>((r) => setImmediate(r));
        await database.notify(CHANNEL, `{"topic":${JSON.stringify(topic)},"payloads":[${batch.join(',')}]}`);
        batch = [];
        size = 0;
      };
      for (const p of payloads) {
        const json = JSON.stringify(p);
        const bytes = Buffer.byteLength(json); // the limit is in bytes; payloads may be far from ASCII
        if (size + bytes > MAX_NOTIFY_BYTES) await flush();
        batch.push(json);
        size += bytes + 1;
      }
      await flush();
    },
    on,
    subscribe<K extends TopicName>(topic: K, signal?: AbortSignal): AsyncIterableIterator<Topics[K]> {
      // Bounded queue: a consumer that falls 1000 events behind loses the oldest rather than growing memory.
      const queue: Topics[K][] = [];
      let wake: (() => void) | null = null;
      let done = false;
      const off = on(topic, (p) => {
        queue.push(p);
        if (queue.length > 1000) queue.shift();
        wake?.();
      });
      const finish = () => {
        done = true;
        off();
        closers.delete(finish);
        wake?.();
      };
      closers.add(finish);
      signal?.addEventListener('abort', finish, { once: true });
      const iterator: AsyncIterableIterator<Topics[K]> = {
        [Symbol.asyncIterator]() {
          return iterator;
        },
        async next() {
          while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
          wake = null;
          if (queue.length > 0) return { value: queue.shift()!, done: false };
          return { value: undefined, done: true };
        },
        async return() {
          finish();
          return { value: undefined, done: true };
        },
      };
      return iterator;
    },
    async close() {
      for (const c of [...closers]) c();
      await unlisten();
    },
  };
}
