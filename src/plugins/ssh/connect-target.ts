/**
 * Turns a HostTarget into a pooled SSH session: reads its settings, picks the address and
 * the connect budget, and says readably why it could not connect.
 */
import type { HostTarget, PluginStateStore } from '../../core/plugin.js';
import type { SessionLease, SshSessionPool } from './session-pool.js';
import { SshError, type SshFailureKind } from './session.js';
import { readSettings } from './settings.js';

export interface ConnectTargetOptions {
  /** Upper bound for the connect; the per-host `connectTimeoutS` may only shorten it. */
  budgetMs: number;
  signal?: AbortSignal;
  /** See AcquireOptions.maxAgeMs. */
  maxAgeMs?: number;
  now?: () => Date;
}

export type ConnectFailureKind = SshFailureKind | 'no-key' | 'settings';

export type ConnectResult =
  | { ok: true; lease: SessionLease; address: string }
  | { ok: false; kind: ConnectFailureKind; message: string };

/** Failures that say nothing about the host itself, only about our configuration. */
export const CONFIG_FAILURES: ReadonlySet<ConnectFailureKind> = new Set(['no-key', 'settings', 'key']);

export async function connectTarget(
  target: HostTarget,
  pool: SshSessionPool,
  state: PluginStateStore,
  opts: ConnectTargetOptions,
): Promise<ConnectResult> {
  const read = readSettings(target.settings);
  if ('error' in read) return { ok: false, kind: 'settings', message: read.error };
  const s = read.settings;
  if (!s.privateKey) return { ok: false, kind: 'no-key', message: 'no SSH key configured for this host' };
  const address = s.address ?? target.address ?? target.name;
  const timeoutMs = Math.max(
    100,
    Math.min(opts.budgetMs, s.connectTimeoutS !== undefined ? s.connectTimeoutS * 1000 : Number.POSITIVE_INFINITY),
  );
  try {
    const lease = await pool.acquire(
      {
        hostId: target.id,
        host: address,
        port: s.port,
        user: s.user,
        privateKey: s.privateKey,
        passphrase: s.passphrase,
        state,
        timeoutMs,
        now: opts.now,
      },
      { signal: opts.signal, maxAgeMs: opts.maxAgeMs },
    );
    return { ok: true, lease, address };
  } catch (e) {
    if (e instanceof SshError) return { ok: false, kind: e.kind, message: e.message };
    return { ok: false, kind: 'protocol', message: (e as Error).message ?? String(e) };
  }
}

/**
 * How uptime/df report a failed connect: the ssh check owns reachability (CRIT there), so these
 * say UNKNOWN "not measured" — except a changed host key, which stays CRIT wherever it shows.
 */
export function notMeasured(kind: ConnectFailureKind, message: string): { status: 'CRIT' | 'UNKNOWN'; summary: string } {
  if (kind === 'host-key') return { status: 'CRIT', summary: message };
  if (CONFIG_FAILURES.has(kind)) return { status: 'UNKNOWN', summary: message };
  return { status: 'UNKNOWN', summary: `not measured: SSH ${message}` };
}
