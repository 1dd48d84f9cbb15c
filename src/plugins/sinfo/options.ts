/**
 * Where the Slurm client tools are and which cluster they talk to. Both come from the lead's
 * config (src/config.ts) through `createSinfoPlugin(options)`; nothing here reads process.env.
 */
import { join } from 'node:path';

export interface SlurmClientOptions {
  /** Path of slurm.conf, handed to sinfo/scontrol as SLURM_CONF. Unset: the tools' own default. */
  slurmConf?: string;
  /** Directory holding sinfo and scontrol. Unset: found through PATH. */
  binDir?: string;
}

/** Per-call options: the client options plus this call's bounds. */
export interface SlurmCallOptions extends SlurmClientOptions {
  /** Upper bound for one sinfo/scontrol run. sinfo needs ~9 s to report a dead controller. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_SLURM_TIMEOUT_MS = 15_000;

export function slurmBinary(opts: SlurmClientOptions, tool: 'sinfo' | 'scontrol'): string {
  return opts.binDir ? join(opts.binDir, tool) : tool;
}

export function slurmEnv(opts: SlurmClientOptions): Record<string, string> {
  return opts.slurmConf ? { SLURM_CONF: opts.slurmConf } : {};
}

/** Thrown when Slurm could not be asked at all (controller down, tool missing, garbage output). */
export class SlurmUnavailableError extends Error {
  override name = 'SlurmUnavailableError';
}
