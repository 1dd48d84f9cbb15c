/** `ssh.accept-host-key`: the only way a changed host key gets accepted — an audited admin action. */
import { z } from 'zod';
import type { ActionKind } from '../../core/plugin.js';
import { clearPinnedHostKey, getPinnedHostKey, pinHostKey } from './host-key.js';
import type { SshSessionPool } from './session-pool.js';

export const acceptHostKeyParams = z.object({
  /** Pin exactly this key (as `ssh-keygen -lf` prints it); without it the next connection pins what it sees. */
  fingerprint: z
    .string()
    .regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'expected a fingerprint like SHA256:… (43 base64 characters)')
    .optional(),
});
export type AcceptHostKeyParams = z.infer<typeof acceptHostKeyParams>;

export function acceptHostKeyAction(pool: SshSessionPool): ActionKind<AcceptHostKeyParams> {
  return {
    description: 'Replaces or forgets the pinned SSH host key after a legitimate key change (reinstall, new host key).',
    params: acceptHostKeyParams,
    minRole: 'admin',
    dangerous: true,
    describe: (t, p) =>
      p.fingerprint
        ? `would pin host key ${p.fingerprint} for ${t.name}`
        : `would forget the pinned host key of ${t.name}; the next connection pins the key it is offered`,
    run: async (targets, p, ctx) => {
      const out = [];
      for (const t of targets) {
        const old = (await getPinnedHostKey(ctx.state, t.id))?.fingerprint ?? 'none';
        if (p.fingerprint) await pinHostKey(ctx.state, t.id, p.fingerprint, ctx.now());
        else await clearPinnedHostKey(ctx.state, t.id);
        pool.forget(t.id); // a remembered "host key changed" failure must not outlive the decision
        out.push({
          hostId: t.id,
          ok: true,
          message: p.fingerprint ? `host key pinned: ${p.fingerprint} (was ${old})` : `pinned host key cleared (was ${old})`,
          details: { previous: old, pinned: p.fingerprint ?? null },
        });
      }
      return out;
    },
  };
}
