/** Live reads for plugin fields on Host (e.g. `Host.disks`), through the same connection pool as the checks. */
import type { HostTarget, PluginStateStore } from '../../core/plugin.js';
import { connectTarget } from './connect-target.js';
import { readDisks } from './read-disks.js';
import type { SshSessionPool } from './session-pool.js';

export interface Disk {
  mount: string;
  filesystem: string;
  /** Only where the remote df supports -T (GNU). */
  fsType?: string;
  sizeKb: number;
  usedKb: number;
  availKb: number;
  usePct: number | null;
  inodes?: number;
  inodesUsed?: number;
  inodesFree?: number;
  inodesUsePct?: number | null;
}

export class SshLiveError extends Error {
  override name = 'SshLiveError';
}

/**
 * Every mount `df -P` lists on the host, in df's order. Throws SshLiveError with a readable
 * message ("connection refused", "host key changed: …") when it cannot read them.
 */
export async function getDisks(
  target: HostTarget,
  pool: SshSessionPool,
  state: PluginStateStore,
  opts: { timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<Disk[]> {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const deadline = performance.now() + timeoutMs;
  const c = await connectTarget(target, pool, state, { budgetMs: timeoutMs * 0.6, signal: opts.signal });
  if (!c.ok) throw new SshLiveError(c.message);
  try {
    const r = await readDisks(c.lease.session, deadline, { includeInodes: true, signal: opts.signal });
    if (!r.ok) throw new SshLiveError(r.summary);
    return r.mounts.map(({ inodes, ...m }) => ({
      ...m,
      ...(inodes
        ? { inodes: inodes.inodes, inodesUsed: inodes.inodesUsed, inodesFree: inodes.inodesFree, inodesUsePct: inodes.inodesUsePct }
        : {}),
    }));
  } finally {
    c.lease.release();
  }
}
