/** `ssh`: can we log in? Reports the server banner and connect time; a changed host key is CRIT. */
import { z } from 'zod';
import type { CheckKind } from '../../core/plugin.js';
import { CONFIG_FAILURES, connectTarget } from './connect-target.js';
import { perTarget } from './per-target.js';
import type { SshSessionPool } from './session-pool.js';

export const sshCheckParams = z.object({
  /** WARN when logging in takes longer than this (ms). */
  warnConnectMs: z.number().int().positive().optional(),
});
export type SshCheckParams = z.infer<typeof sshCheckParams>;

/**
 * Only reuse a connection opened moments ago (the same sweep, where uptime and df may have opened
 * it): this check is about whether the host takes a login now. An open session outlives a stopped
 * sshd (each connection has its own sshd process), so an older one proves nothing.
 */
export const SSH_MAX_AGE_MS = 2_000;

export function sshCheck(pool: SshSessionPool): CheckKind<SshCheckParams> {
  return {
    description: 'Logs in over SSH with the host key pinned on first use; reports the banner and connect time.',
    params: sshCheckParams,
    defaults: { intervalS: 60, timeoutS: 10 },
    run: (targets, params, ctx) =>
      perTarget(targets, ctx, async (target, deadline) => {
        const c = await connectTarget(target, pool, ctx.state, {
          budgetMs: deadline - performance.now(),
          signal: ctx.signal,
          maxAgeMs: SSH_MAX_AGE_MS,
          now: () => ctx.now(),
        });
        if (!c.ok) return { status: CONFIG_FAILURES.has(c.kind) ? 'UNKNOWN' : 'CRIT', summary: c.message };
        const { session } = c.lease;
        c.lease.release();
        const slow = params.warnConnectMs !== undefined && session.connectMs > params.warnConnectMs;
        const pinned = session.newlyPinned ? `; host key ${session.hostKeyFingerprint} pinned` : '';
        return {
          status: slow ? 'WARN' : 'OK',
          summary:
            `${session.banner || 'SSH server'}, connected in ${session.connectMs} ms` +
            (slow ? ` (slower than ${params.warnConnectMs} ms)` : '') +
            pinned,
          metrics: { connect_ms: session.connectMs },
        };
      }),
  };
}
