/**
 * CheckKind `ping`: one fping run per sweep for every due host (split only if argv would overflow,
 * or in parts when the caller takes early results: see CheckContext.reportEarly).
 * Loss and RTT become metrics; thresholds on both decide WARN/CRIT.
 */
import { z } from 'zod';
import { LOOP_SLICE, yieldToLoop } from '../../core/event-loop.js';
import { validateAddress } from '../../core/host-names.js';
import type { CheckContext, CheckKind, CheckOutcome, HostTarget } from '../../core/plugin.js';
import { evaluatePing } from './evaluate.js';
import { chunkTargets, FPING, fpingArgs, minimumRunMs } from './fping.js';
import { type PingStats, parseFpingOutput } from './parse.js';

export const pingParams = z
  .object({
    /** Probes per host. */
    count: z.number().int().min(1).max(100).default(3),
    /** fping -i: ms between any two probes sent. fping's own default (10) keeps ~100 packets/s; 0 = flat out. */
    intervalMs: z.number().int().min(0).max(10_000).default(10),
    /** fping -p: ms between probes to the same host. */
    periodMs: z.number().int().min(0).max(60_000).default(200),
    /** fping -t: ms to wait for each reply. */
    timeoutMs: z.number().int().min(1).max(60_000).default(500),
    warnLossPct: z.number().gt(0).max(100).default(20),
    critLossPct: z.number().gt(0).max(100).default(100),
    warnRttMs: z.number().positive().optional(),
    critRttMs: z.number().positive().optional(),
  })
  .refine((p) => p.warnLossPct <= p.critLossPct, { message: 'warnLossPct must not exceed critLossPct', path: ['warnLossPct'] })
  .refine((p) => p.warnRttMs === undefined || p.critRttMs === undefined || p.warnRttMs <= p.critRttMs, {
    message: 'warnRttMs must not exceed critRttMs',
    path: ['warnRttMs'],
  });

export type PingParams = z.infer<typeof pingParams>;

export const pingCheck: CheckKind<PingParams> = {
  description: 'ICMP echo with fping: packet loss and round-trip time, one fping run per sweep for all hosts',
  params: pingParams,
  defaults: { intervalS: 60, timeoutS: 30 },
  run: runPing,
};

async function runPing(targets: HostTarget[], params: PingParams, ctx: CheckContext): Promise<CheckOutcome[]> {
  const started = performance.now();
  const outcomes: CheckOutcome[] = [];
  // Several hosts may share an address: ping it once, give each host the result.
  const byAddress = new Map<string, HostTarget[]>();
  // Index loops, not entries(): an [index, item] pair per host is garbage the collector pays for.
  for (let n = 0; n < targets.length; n++) {
    const t = targets[n]!;
    // 10,000 targets: let other work run between slices (keeps the server's event loop responsive).
    if (n > 0 && n % LOOP_SLICE === 0) await yieldToLoop();
    const address = t.address ?? t.name;
    // Only IP literals and RFC 1123 names reach fping's argv.
    const problem = validateAddress(address);
    if (problem) {
      outcomes.push({ hostId: t.id, status: 'UNKNOWN', summary: `not pinged: ${problem}`, durationMs: 0 });
      continue;
    }
    const list = byAddress.get(address);
    if (list) list.push(t);
    else byAddress.set(address, [t]);
  }
  if (byAddress.size === 0) return outcomes;

  const addresses = [...byAddress.keys()];
  const floor = minimumRunMs(params, addresses.length);
  if (floor > ctx.timeoutMs) {
    throw new Error(
      `pinging ${addresses.length} addresses ${params.count}× at intervalMs ${params.intervalMs} takes at least ` +
        `${seconds(floor)} s, more than the check timeout of ${seconds(ctx.timeoutMs)} s: lower intervalMs or count, or raise the timeout`,
    );
  }

  // With a caller that takes early results (the scheduler), a large sweep runs as several fping
  // processes, one after the other: each part's results are written while the next is pinged, so
  // little is left to do when fping is done. Splitting costs at most one more reply timeout per
  // part, so only when that fits.
  const report = ctx.reportEarly?.bind(ctx);
  const early = report ? Math.max(0, ctx.earlyReports ?? 1) : 0;
  const split = early > 0 && addresses.length >= SPLIT_MIN_ADDRESSES && floor + early * params.timeoutMs <= ctx.timeoutMs;
  const parts = split ? splitSweep(addresses, tailShare(params), early + 1) : [addresses];

  // The next part is pinged while this one's outcomes are made (fping is the slow side).
  const start = (part: string[]) => {
    const p = pingPart(part, params, ctx, started);
    p.catch(() => {}); // awaited below; not an unhandled rejection meanwhile
    return p;
  };
  let next = start(parts[0]!);
  for (const [i, part] of parts.entries()) {
    const run = await next;
    if (!run.failure && i < parts.length - 1) next = start(parts[i + 1]!);
    const partOutcomes: CheckOutcome[] = [];
    const durationMs = Math.round(performance.now() - started);
    for (let n = 0; n < part.length; n++) {
      const address = part[n]!;
      if (n > 0 && n % LOOP_SLICE === 0) await yieldToLoop();
      const outcome = outcomeFor(address, run, params, durationMs);
      const sharing = byAddress.get(address)!;
      for (let k = 0; k < sharing.length; k++) partOutcomes.push({ hostId: sharing[k]!.id, ...outcome });
    }
    for (let k = 0; k < partOutcomes.length; k++) outcomes.push(partOutcomes[k]!);
    if (run.failure) {
      // fping timed out or was stopped: every address not pinged yet gets the same reason.
      for (const rest of parts.slice(i + 1)) {
        for (const address of rest) for (const h of byAddress.get(address)!) outcomes.push({ hostId: h.id, status: 'UNKNOWN', summary: run.failure, durationMs: 0 });
      }
      break;
    }
    if (report && i < parts.length - 1) report(partOutcomes);
  }
  return outcomes;
}


/** Sweeps at least this large are split in two when the caller takes early results. */
export const SPLIT_MIN_ADDRESSES = 1000;
/** Database cost of writing one result (ms; ~0.05 on an idle 2-core box, 0.1 when busy), against which the tail's ping time is weighed. */
const WRITE_MS_PER_RESULT = 0.1;

/**
 * The last part's share: long enough to ping while the earlier parts' results are written (a few %
 * at -i 1), or, when pinging is about as fast as writing (-i 0), 0.5: then the sweep goes in equal
 * parts, each written while the next is pinged (measured: equal thirds beat a shrinking tail,
 * whose larger early writes overlap each other).
 */
export function tailShare(params: Pick<PingParams, 'intervalMs' | 'count'>): number {
  // fping flat out (-i 0) still spends ~10 µs per probe.
  const pingMs = Math.max(params.intervalMs, 0.01) * params.count;
  return Math.min(0.5, Math.max(0.05, WRITE_MS_PER_RESULT / (pingMs + WRITE_MS_PER_RESULT)));
}

/**
 * Splits a sweep, in order: a head and a tail of share `tail` when that is under half (or at most
 * two parts are wanted), else `maxParts` equal parts.
 */
export function splitSweep<T>(items: readonly T[], tail: number, maxParts: number): T[][] {
  if (tail < 0.5 || maxParts <= 2) {
    const n = Math.max(1, Math.ceil(items.length * tail));
    return [items.slice(0, items.length - n), items.slice(items.length - n)];
  }
  const parts: T[][] = [];
  for (let i = 0; i < maxParts; i++) parts.push(items.slice(Math.round((i * items.length) / maxParts), Math.round(((i + 1) * items.length) / maxParts)));
  return parts.filter((p) => p.length > 0);
}

interface PartRun {
  results: Map<string, PingStats>;
  unresolved: boolean;
  failure?: string;
}

/** One part of the sweep through fping (more than one process only if argv would overflow). */
async function pingPart(addresses: string[], params: PingParams, ctx: CheckContext, started: number): Promise<PartRun> {
  const out: PartRun = { results: new Map(), unresolved: false };
  for (const chunk of chunkTargets(addresses)) {
    const remaining = ctx.timeoutMs - (performance.now() - started);
    // fping -q writes its report in tiny writes: to a file they cost less than through a pipe.
    const res = await ctx.run(FPING, fpingArgs(params, chunk), { timeoutMs: Math.max(1, remaining), signal: ctx.signal, stderrToFile: true });
    if (res.spawnError) throw new Error(`could not run fping: ${res.spawnError}`);
    if (res.timedOut) {
      out.failure = ctx.signal.aborted
        ? 'fping was stopped before it finished (check aborted)'
        : `fping did not finish within the check timeout of ${seconds(ctx.timeoutMs)} s`;
      return out;
    }
    // 0: all answered; 1: some did not (a result, not an error); 2: some names/addresses not found.
    if (res.code !== 0 && res.code !== 1 && res.code !== 2) {
      throw new Error(`fping failed (exit ${res.code ?? 'signal'}): ${firstLine(res.stderr) || 'no message'}`);
    }
    if (res.code === 2) out.unresolved = true;
    const parsed = parseFpingOutput(res.stderr);
    if (out.results.size === 0) out.results = parsed;
    else for (const [addr, stats] of parsed) out.results.set(addr, stats);
    // Some builds print summaries on stdout; it is empty with -q otherwise.
    if (res.stdout.length > 0) for (const [addr, stats] of parseFpingOutput(res.stdout)) out.results.set(addr, stats);
  }
  return out;
}

function outcomeFor(address: string, run: PartRun, params: PingParams, durationMs: number): Omit<CheckOutcome, 'hostId'> {
  const stats = run.results.get(address);
  if (stats) {
    const v = evaluatePing(stats, params);
    return { status: v.status, summary: v.summary, metrics: v.metrics, durationMs };
  }
  const summary =
    run.failure ?? (run.unresolved ? `fping could not resolve "${address}" (unknown host name or bad address)` : `fping printed no result for "${address}"`);
  return { status: 'UNKNOWN', summary, durationMs };
}

const seconds = (ms: number) => String(Math.round(ms / 100) / 10);
const firstLine = (s: string) => (s.trim().split('\n')[0] ?? '').slice(0, 300);
