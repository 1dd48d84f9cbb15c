/**
 * The fping command line for one sweep. `-C count -q` prints one summary line per target on
 * stderr ("addr : 0.04 - 0.05", '-' = lost probe), from which parse.ts derives loss and RTT.
 * Targets always follow `--`, so none can be read as an option.
 */

export const FPING = 'fping';

export interface FpingOptions {
  /** Probes per target (-C). */
  count: number;
  /** Gap between any two probes sent, in ms (-i); 0 sends as fast as possible. */
  intervalMs: number;
  /** Gap between probes to one target, in ms (-p). */
  periodMs: number;
  /** How long to wait for each reply, in ms (-t). */
  timeoutMs: number;
}

export function fpingArgs(opts: FpingOptions, targets: readonly string[]): string[] {
  return [
    '-C',
    String(opts.count),
    '-q',
    '-i',
    String(opts.intervalMs),
    '-p',
    String(opts.periodMs),
    '-t',
    String(opts.timeoutMs),
    '--',
    ...targets,
  ];
}

/**
 * The least time fping can take for `n` targets: every probe is spaced by the interval and the
 * probes to one target by the period, then the last reply may take the full probe timeout.
 */
export function minimumRunMs(opts: FpingOptions, n: number): number {
  return Math.max(opts.count * n * opts.intervalMs, (opts.count - 1) * opts.periodMs) + opts.timeoutMs;
}

/**
 * Linux caps argv+env at about 2 MiB (a quarter of the stack limit); 10,000 addresses use ~0.2 MiB.
 * Only batches beyond this budget are split (bytes of each string, its NUL and its pointer).
 */
export const ARGV_BUDGET_BYTES = 1_000_000;

export function chunkTargets(targets: readonly string[], budget = ARGV_BUDGET_BYTES): string[][] {
  const chunks: string[][] = [];
  let current: string[] = [];
  let used = 0;
  for (const t of targets) {
    const cost = Buffer.byteLength(t) + 9;
    if (current.length > 0 && used + cost > budget) {
      chunks.push(current);
      current = [];
      used = 0;
    }
    current.push(t);
    used += cost;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
