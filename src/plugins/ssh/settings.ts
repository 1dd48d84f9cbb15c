/** Per-host SSH connection settings; `privateKey` and `passphrase` are secrets (encrypted at rest, write-only). */
import { z } from 'zod';

// A user name goes into the SSH protocol, not a shell, but keep it to what useradd accepts.
const USER_RE = /^[a-z_][a-z0-9_.-]{0,31}\$?$/i;

export const sshSettingsSchema = z.object({
  user: z.string().regex(USER_RE, 'not a valid user name').default('root'),
  port: z.number().int().min(1).max(65535).default(22),
  /** Private key text (PEM or OpenSSH format). Optional so a host can exist before its key is set. */
  privateKey: z.string().min(1).optional(),
  passphrase: z.string().min(1).optional(),
  /** Overrides the host's address for SSH (e.g. a management interface). */
  address: z
    .string()
    .min(1)
    .max(253)
    .regex(/^[A-Za-z0-9.:[\]%-]+$/, 'not a host name or IP address')
    .refine((a) => !a.startsWith('-'), 'must not start with "-"')
    .optional(),
  connectTimeoutS: z.number().positive().max(120).optional(),
});

export type SshSettings = z.infer<typeof sshSettingsSchema>;

export const SSH_SECRETS = ['privateKey', 'passphrase'] as const;

/** Reads a target's settings leniently: invalid or missing settings give defaults without a key. */
export function readSettings(raw: Record<string, unknown> | undefined): { settings: SshSettings } | { error: string } {
  const parsed = sshSettingsSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    return { error: `invalid SSH settings: ${first ? `${first.path.join('.') || 'settings'}: ${first.message}` : 'unknown'}` };
  }
  return { settings: parsed.data };
}
