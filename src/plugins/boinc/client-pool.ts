/**
 * One BoincClient per GUI RPC address:port, reused across checks, actions and live views, plus a
 * per-host circuit breaker: after a connectivity failure the host is in backoff (doubling up to a
 * cap), and calls inside that window fail at once with "…, last seen …" instead of waiting for
 * another timeout. Only the pool's own process keeps this state; it is a cache, not a record.
 */
import { createHash } from 'node:crypto';
import { BoincError, CONNECTIVITY_CODES, asBoincError } from './errors.js';
import { BoincClient } from './rpc-client.js';
import type { BoincConnectionOptions } from './rpc-connection.js';

export interface BoincPoolOptions {
  /** Close a pooled connection after this long unused. Default 5 min. */
  idleCloseMs?: number;
  /** First backoff after a failure; doubles per consecutive failure. Default 15 s. */
  backoffBaseMs?: number;
  /** Longest backoff. Default 5 min. */
  backoffMaxMs?: number;
  now?: () => number;
}

export interface BoincHostHealth {
  /** Last time the client answered anything (null: never, in this process). */
  lastSeenAt: Date | null;
  consecutiveFailures: number;
  /** While in the future, calls fail fast with code 'backoff'. */
  retryAt: Date | null;
  lastError: BoincError | null;
}

interface Entry {
  client: BoincClient;
  fingerprint: string;
  health: BoincHostHealth;
  idleTimer: NodeJS.Timeout | null;
}

export class BoincClientPool {
  private readonly entries = new Map<string, Entry>();
  private readonly idleCloseMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly now: () => number;

  constructor(opts: BoincPoolOptions = {}) {
    this.idleCloseMs = opts.idleCloseMs ?? 5 * 60_000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 15_000;
    this.backoffMaxMs = opts.backoffMaxMs ?? 5 * 60_000;
    this.now = opts.now ?? Date.now;
  }

  /** Runs `fn` with the host's pooled client, honouring and updating the host's backoff. */
  async use<T>(endpoint: BoincConnectionOptions, fn: (client: BoincClient) => Promise<T>): Promise<T> {
    const entry = this.entry(endpoint);
    const h = entry.health;
    if (h.retryAt && h.retryAt.getTime() > this.now() && h.lastError) {
      const waitS = Math.ceil((h.retryAt.getTime() - this.now()) / 1000);
      const seen = h.lastSeenAt ? `last seen ${h.lastSeenAt.toISOString()}` : 'never seen';
      throw new BoincError('backoff', `${h.lastError.message}; ${seen}; next try in ${waitS} s`, {
        lastSeenAt: h.lastSeenAt,
        cause: h.lastError,
        retryAt: h.retryAt,
      });
    }
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    try {
      const result = await fn(entry.client);
      this.succeeded(entry);
      return result;
    } catch (e) {
      const err = asBoincError(e);
      if (CONNECTIVITY_CODES.has(err.code)) {
        h.consecutiveFailures += 1;
        h.lastError = err;
        const backoff = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** (h.consecutiveFailures - 1));
        h.retryAt = new Date(this.now() + backoff);
        entry.client.close();
      } else if (err.code !== 'aborted') {
        this.succeeded(entry); // an <error> or <unauthorized/> reply still proves the host is up
      }
      throw err;
    } finally {
      this.armIdle(entry);
    }
  }

  /** What the pool knows about a host (for "last seen" in views), without touching the network. */
  health(endpoint: Pick<BoincConnectionOptions, 'host' | 'port'>): BoincHostHealth {
    const e = this.entries.get(key(endpoint));
    return e ? { ...e.health } : { lastSeenAt: null, consecutiveFailures: 0, retryAt: null, lastError: null };
  }

  /** Closes every pooled connection (server shutdown). */
  close(): void {
    for (const e of this.entries.values()) {
      if (e.idleTimer) clearTimeout(e.idleTimer);
      e.client.close();
    }
    this.entries.clear();
  }

  private entry(endpoint: BoincConnectionOptions): Entry {
    const k = key(endpoint);
    const fp = fingerprint(endpoint);
    const existing = this.entries.get(k);
    if (existing && existing.fingerprint === fp) return existing;
    // New settings (password, timeouts): a fresh client, and the old verdict no longer applies.
    if (existing) {
      existing.client.close();
      if (existing.idleTimer) clearTimeout(existing.idleTimer);
    }
    const entry: Entry = {
      client: new BoincClient(endpoint),
      fingerprint: fp,
      health: {
        lastSeenAt: existing?.health.lastSeenAt ?? null,
        consecutiveFailures: 0,
        retryAt: null,
        lastError: null,
      },
      idleTimer: null,
    };
    this.entries.set(k, entry);
    return entry;
  }

  private succeeded(entry: Entry): void {
    entry.health.lastSeenAt = new Date(this.now());
    entry.health.consecutiveFailures = 0;
    entry.health.retryAt = null;
    entry.health.lastError = null;
  }

  private armIdle(entry: Entry): void {
    if (entry.idleTimer) clearTimeout(entry.idleTimer);
    entry.idleTimer = setTimeout(() => entry.client.close(), this.idleCloseMs);
    entry.idleTimer.unref(); // an idle pool must not keep the process alive
  }
}

const key = (e: Pick<BoincConnectionOptions, 'host' | 'port'>) => `${e.host.toLowerCase()}:${e.port}`;

// A hash, so the password never sits in a map key or a log line.
const fingerprint = (e: BoincConnectionOptions) =>
  createHash('sha256')
    .update(JSON.stringify([e.password ?? '', e.connectTimeoutMs, e.replyTimeoutMs, e.localAddress ?? '']))
    .digest('hex');

/** The pool the plugin's checks, actions and live views share in this process. */
export const defaultBoincPool = new BoincClientPool();
