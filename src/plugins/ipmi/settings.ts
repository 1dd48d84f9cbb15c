/**
 * Per-host BMC settings. The password is a secret (encrypted at rest, write-only in the API);
 * everything that reaches ipmitool's argv is validated here so it can never be read as an option.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import type { HostSettingsSpec, HostTarget } from '../../core/plugin.js';

/** RFC 1123 host name: labels of letters, digits and inner hyphens (so never a leading '-'). */
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

export function isValidBmcAddress(value: string): boolean {
  return isIP(value) !== 0 || HOSTNAME.test(value);
}

export const IPMI_PRIVILEGES = ['USER', 'OPERATOR', 'ADMINISTRATOR'] as const;
export type IpmiPrivilege = (typeof IPMI_PRIVILEGES)[number];

export const ipmiSettingsSchema = z.object({
  /** BMC address; when absent the host's own address (or name) is used. */
  address: z.string().refine(isValidBmcAddress, 'address must be an IP address or an RFC 1123 host name').optional(),
  port: z.number().int().min(1).max(65535).default(623),
  // IPMI user names are at most 16 bytes; refusing a leading '-' keeps `-U` unambiguous.
  user: z
    .string()
    .max(16, 'user is at most 16 characters (IPMI limit)')
    .regex(/^[^-\s][^\s]*$|^$/, 'user must not start with "-" or contain spaces'),
  /** Secret: passed to ipmitool only through IPMI_PASSWORD with -E, never argv. IPMI v2 allows 20 bytes. */
  password: z.string().min(1, 'password is required').max(20, 'password is at most 20 characters (IPMI v2 limit)'),
  /** Always lanplus (IPMI v2 / RMCP+); the v1.5 `lan` interface sends weak or no authentication. */
  interface: z.literal('lanplus').default('lanplus'),
  /** RMCP+ cipher suite. Real BMCs default to 17; some (and ipmi_sim) only offer 3. */
  cipherSuite: z
    .number()
    .int()
    .refine((n) => n !== 0, 'cipher suite 0 is refused: it authenticates nobody (no authentication, integrity or encryption)')
    .refine((n) => n >= 1 && n <= 17, 'cipher suite must be between 1 and 17')
    .default(17),
  /** Session privilege requested (`-L`): a BMC refuses sessions above the account's own level. */
  privilege: z.enum(IPMI_PRIVILEGES).default('ADMINISTRATOR'),
  /** Seconds per attempt (`-N`) and retries (`-R`): 1 and 1 give up on a dead BMC after about 2 s. */
  timeoutS: z.number().int().min(1).max(30).default(1),
  retries: z.number().int().min(0).max(5).default(1),
});

export type IpmiSettingsInput = z.input<typeof ipmiSettingsSchema>;
export type IpmiSettings = z.output<typeof ipmiSettingsSchema>;

export const ipmiHostSettings: HostSettingsSpec<IpmiSettings> = {
  schema: ipmiSettingsSchema,
  secrets: ['password'],
};

/** Everything needed to open one session with one BMC. */
export interface BmcConnection {
  address: string;
  port: number;
  user: string;
  password: string;
  cipherSuite: number;
  privilege: IpmiPrivilege;
  timeoutS: number;
  retries: number;
}

export type ResolvedBmc = { ok: true; bmc: BmcConnection } | { ok: false; message: string };

/** Validates a host's stored settings and fills the address from the host when the BMC has none. */
export function resolveBmc(target: HostTarget): ResolvedBmc {
  if (!target.settings) return { ok: false, message: 'no BMC settings for this host' };
  const parsed = ipmiSettingsSchema.safeParse(target.settings);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const where = first?.path.length ? `${first.path.join('.')}: ` : '';
    return { ok: false, message: `invalid BMC settings: ${where}${first?.message ?? 'invalid'}` };
  }
  const s = parsed.data;
  const address = s.address ?? target.address ?? target.name;
  if (!isValidBmcAddress(address)) return { ok: false, message: `invalid BMC address "${address}"` };
  return {
    ok: true,
    bmc: {
      address,
      port: s.port,
      user: s.user,
      password: s.password,
      cipherSuite: s.cipherSuite,
      privilege: s.privilege,
      timeoutS: s.timeoutS,
      retries: s.retries,
    },
  };
}

/** "127.0.0.1:9001" — how a BMC is named in messages (never with credentials). */
export function bmcLabel(bmc: Pick<BmcConnection, 'address' | 'port'>): string {
  return isIP(bmc.address) === 6 ? `[${bmc.address}]:${bmc.port}` : `${bmc.address}:${bmc.port}`;
}

/** How long ipmitool itself waits for a silent BMC before giving up (`-N` × (`-R` + 1)). */
export function noAnswerSeconds(bmc: Pick<BmcConnection, 'timeoutS' | 'retries'>): number {
  return bmc.timeoutS * (bmc.retries + 1);
}
