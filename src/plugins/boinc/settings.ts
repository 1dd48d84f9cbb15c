/** Per-host BOINC connection settings: where the GUI RPC listens, its password (secret), timeouts. */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { HostSettingsSpec, HostTarget } from '../../core/plugin.js';
import type { BoincConnectionOptions } from './rpc-connection.js';

const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*\.?$/;

export const boincSettingsSchema = z.object({
  /** GUI RPC address; defaults to the host's own address (or name). */
  address: z
    .string()
    .refine((s) => isIP(s) !== 0 || HOSTNAME.test(s), 'must be an IP address or an RFC 1123 host name')
    .optional(),
  port: z.number().int().min(1).max(65535).default(31416),
  /** The line from the client's gui_rpc_auth.cfg. Encrypted at rest, never read back. */
  password: z.string().max(512).optional(),
  /** boinccmd waits 72 s for a dead host; we wait this long for the TCP connect. */
  connectTimeoutMs: z.number().int().min(50).max(60_000).default(3_000),
  replyTimeoutMs: z.number().int().min(50).max(120_000).default(10_000),
});

export type BoincSettings = z.infer<typeof boincSettingsSchema>;

export const boincHostSettings: HostSettingsSpec<BoincSettings> = {
  schema: boincSettingsSchema,
  secrets: ['password'],
};

/**
 * Connection options for a target: its settings (validated again here, since they come from the
 * database) with the host's address as the default. `capMs` bounds both timeouts (a check's budget).
 */
export function endpointFor(target: HostTarget, capMs?: number): BoincConnectionOptions {
  const parsed = boincSettingsSchema.safeParse(target.settings ?? {});
  if (!parsed.success) {
    throw new Error(`invalid BOINC settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const s = parsed.data;
  const cap = (ms: number) => (capMs !== undefined ? Math.max(50, Math.min(ms, capMs)) : ms);
  return {
    host: s.address ?? target.address ?? target.name,
    port: s.port,
    password: s.password || undefined,
    connectTimeoutMs: cap(s.connectTimeoutMs),
    replyTimeoutMs: cap(s.replyTimeoutMs),
  };
}
