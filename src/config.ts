/**
 * The one place that reads the environment. Validated once at boot with zod; every problem is
 * printed and the process exits 1 (see loadConfigOrExit).
 */
import { z } from 'zod';

const bool = z.union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes')]);
const list = z.string().transform((v) =>
  v
    .split(':')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const configSchema = z.object({
  port: z.coerce.number().int().min(0).max(65535).default(4000),
  host: z.string().min(1).default('127.0.0.1'),
  /** postgres://… switches from embedded PGlite to a real Postgres. */
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  dataDir: z.string().min(1).default('./.corral'),
  adminPassword: z.string().min(8, 'must be at least 8 characters').optional(),
  /** Key material for encrypting plugin secrets; generated into the data dir when absent. */
  secretKey: z.string().min(16, 'must be at least 16 characters').optional(),
  maxBulk: z.coerce.number().int().min(1).default(10),
  /** Dangerous actions per minute per user, and for all users together. */
  actionRatePerUser: z.coerce.number().int().min(1).default(30),
  actionRateGlobal: z.coerce.number().int().min(1).default(120),
  logLevel: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  sessionTtlHours: z.coerce.number().positive().default(12),
  checkRetentionDays: z.coerce.number().positive().default(30),
  /** Disable the check scheduler (e.g. a read-only API replica). */
  scheduler: bool.default(true),
  schedulerTickMs: z.coerce.number().int().min(10).default(1000),
  /** Directories whose programs the exec check may run. */
  nagiosPluginDirs: list.default(['/usr/lib/nagios/plugins']),
  slurmConf: z.string().optional(),
  /** Check batches (one per check definition) running at once. */
  checkConcurrency: z.coerce.number().int().min(1).default(8),
  /** Circuit breaker: the longest wait between probes of a host that keeps failing. */
  checkMaxBackoffS: z.coerce.number().int().min(1).default(300),
  /** Max bytes of a GraphQL request body. */
  maxBodyBytes: z.coerce.number().int().min(1024).default(100 * 1024),
  /** ping and ssh CRIT this long (with the BMC answering, power on) before POWER_CYCLE is recommended. */
  powerCycleAfterS: z.coerce.number().int().min(0).default(300),
  /** Most BMC sessions (ipmitool processes) at once. */
  maxBmcSessions: z.coerce.number().int().min(1).default(4),
  /** Serve the built dashboard from this directory. */
  webDir: z.string().optional(),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

const ENV: Record<keyof Config, string> = {
  port: 'PORT',
  host: 'CORRAL_HOST',
  databaseUrl: 'DATABASE_URL',
  dataDir: 'CORRAL_DATA_DIR',
  adminPassword: 'CORRAL_ADMIN_PASSWORD',
  secretKey: 'CORRAL_SECRET_KEY',
  maxBulk: 'CORRAL_MAX_BULK',
  actionRatePerUser: 'CORRAL_ACTION_RATE_PER_USER',
  actionRateGlobal: 'CORRAL_ACTION_RATE_GLOBAL',
  logLevel: 'CORRAL_LOG_LEVEL',
  sessionTtlHours: 'CORRAL_SESSION_TTL_HOURS',
  checkRetentionDays: 'CORRAL_CHECK_RETENTION_DAYS',
  scheduler: 'CORRAL_SCHEDULER',
  schedulerTickMs: 'CORRAL_SCHEDULER_TICK_MS',
  nagiosPluginDirs: 'CORRAL_NAGIOS_PLUGIN_DIRS',
  slurmConf: 'SLURM_CONF',
  checkConcurrency: 'CORRAL_CHECK_CONCURRENCY',
  checkMaxBackoffS: 'CORRAL_CHECK_MAX_BACKOFF_S',
  maxBodyBytes: 'CORRAL_MAX_BODY_BYTES',
  powerCycleAfterS: 'CORRAL_POWER_CYCLE_AFTER_S',
  maxBmcSessions: 'CORRAL_MAX_BMC_SESSIONS',
  webDir: 'CORRAL_WEB_DIR',
};

/** Environment variable names, for the README and error messages. */
export const CONFIG_ENV = ENV;

export function parseConfig(input: ConfigInput): Config {
  return configSchema.parse(input);
}

/** Reads the environment (and overrides, e.g. CLI flags); on any problem prints every issue and exits 1. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env, overrides: Partial<ConfigInput> = {}): Config {
  const raw: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') raw[key] = v;
  }
  const result = configSchema.safeParse({ ...raw, ...overrides });
  if (!result.success) {
    process.stderr.write('corral: invalid configuration:\n');
    for (const issue of result.error.issues) {
      const key = String(issue.path[0]) as keyof Config;
      process.stderr.write(`  ${ENV[key] ?? key}: ${issue.message}\n`);
    }
    process.exit(1);
  }
  return result.data;
}
