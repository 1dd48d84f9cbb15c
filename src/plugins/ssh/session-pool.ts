/**
 * Shares one SSH connection per host between the ssh, uptime and df checks of one sweep, and
 * remembers a failed connect for the same short window so the other checks of that host do not
 * pay the timeout again. A cache only: losing it costs a reconnect, never correctness.
 */
import { createHash } from 'node:crypto';
import { type ConnectOptions, formatSeconds, openSession, SshError, type SshSession } from './session.js';

export interface SessionPoolOptions {
  /** A connection (or a failed attempt) older than this is not handed out again. Default 30 s. */
  maxAgeMs?: number;
  /** An unused connection is closed after this long. Default 30 s. */
  idleMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

export interface AcquireOptions {
  /** Tighter age limit for this caller (the ssh check wants a connection from this sweep only). */
  maxAgeMs?: number;
  /** Stops waiting (e.g. the check's timeout); the shared connect itself is bounded by its own timeout. */
  signal?: AbortSignal;
}

export interface SessionLease {
  session: SshSession;
  /** True when an existing connection was handed out instead of a new one. */
  reused: boolean;
  release(): void;
}

interface Entry {
  key: string;
  hostId: string;
  startedAt: number;
  promise: Promise<SshSession>;
  session?: SshSession;
  failure?: SshError;
  users: number;
  retired: boolean;
  idleTimer?: NodeJS.Timeout;
}

export interface PoolStats {
  /** Connection attempts actually made. */
  connects: number;
  /** Acquires served by an existing connection. */
  reused: number;
  /** Acquires answered with a remembered failure. */
  failuresReplayed: number;
}

export class SshSessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly maxAgeMs: number;
  private readonly idleMs: number;
  private readonly now: () => number;
  readonly stats: PoolStats = { connects: 0, reused: 0, failuresReplayed: 0 };

  constructor(options: SessionPoolOptions = {}) {
    this.maxAgeMs = options.maxAgeMs ?? 30_000;
    this.idleMs = options.idleMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async acquire(opts: ConnectOptions, acquireOptions: AcquireOptions = {}): Promise<SessionLease> {
    const key = poolKey(opts);
    const maxAge = Math.min(acquireOptions.maxAgeMs ?? this.maxAgeMs, this.maxAgeMs);
    let entry = this.entries.get(key);
    let reused = true;
    if (entry && (this.now() - entry.startedAt > maxAge || entry.session?.closed)) {
      this.retire(entry);
      entry = undefined;
    }
    if (!entry) {
      entry = this.open(key, opts);
      reused = false;
    }
    if (entry.failure) this.stats.failuresReplayed += 1;
    else if (reused) this.stats.reused += 1;

    entry.users += 1;
    clearTimeout(entry.idleTimer);
    const e = entry;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      e.users -= 1;
      if (e.users === 0) this.idle(e);
    };
    try {
      const session = await bounded(e.promise, acquireOptions.signal, opts.timeoutMs);
      return { session, reused, release };
    } catch (err) {
      release();
      throw err;
    }
  }

  /** Drops everything known about a host (e.g. after its pinned key or settings changed). */
  forget(hostId: string): void {
    for (const entry of this.entries.values()) if (entry.hostId === hostId) this.retire(entry);
  }

  /** Closes every connection (plugin stop, tests). */
  closeAll(): void {
    for (const entry of [...this.entries.values()]) {
      this.retire(entry);
      entry.session?.close();
    }
  }

  get size(): number {
    return this.entries.size;
  }

  private open(key: string, opts: ConnectOptions): Entry {
    let promise: Promise<SshSession>;
    try {
      promise = openSession(opts);
      this.stats.connects += 1;
    } catch (e) {
      promise = Promise.reject(e); // an unreadable key: remembered like any failure, no connect made
    }
    const entry: Entry = { key, hostId: opts.hostId, startedAt: this.now(), promise, users: 0, retired: false };
    entry.promise.then(
      (session) => {
        entry.session = session;
        session.onClose(() => this.retire(entry));
        if (entry.retired && entry.users === 0) session.close();
      },
      (err: unknown) => {
        entry.failure = err instanceof SshError ? err : new SshError('protocol', String(err));
        // Keep the failure until it ages out (checked on acquire); drop it then so the map stays small.
        setTimeout(() => this.retire(entry), this.maxAgeMs).unref();
      },
    );
    this.entries.set(key, entry);
    return entry;
  }

  private idle(entry: Entry): void {
    if (entry.retired) {
      entry.session?.close();
      return;
    }
    const left = Math.max(0, this.maxAgeMs - (this.now() - entry.startedAt));
    entry.idleTimer = setTimeout(() => {
      if (entry.users === 0) {
        this.retire(entry);
        entry.session?.close();
      }
    }, Math.min(this.idleMs, left));
    entry.idleTimer.unref();
  }

  /** Stops handing the entry out; its session closes once its last user releases it. */
  private retire(entry: Entry): void {
    entry.retired = true;
    clearTimeout(entry.idleTimer);
    if (this.entries.get(entry.key) === entry) this.entries.delete(entry.key);
    if (entry.users === 0) entry.session?.close();
  }
}

function poolKey(o: ConnectOptions): string {
  // Different credentials or address mean a different connection; hash so no secret is kept as a map key.
  const cred = createHash('sha256')
    .update(o.privateKey)
    .update('\0')
    .update(o.passphrase ?? '')
    .digest('hex');
  return JSON.stringify([o.hostId, o.host, o.port, o.user, cred]);
}

function bounded<T>(promise: Promise<T>, signal: AbortSignal | undefined, timeoutMs: number): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new SshError('timeout', `no answer within ${formatSeconds(timeoutMs)}`));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
