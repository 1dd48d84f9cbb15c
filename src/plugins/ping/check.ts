/**
 * CheckKind `ping`: one fping run per sweep for every due host (split only if argv would overflow).
 * Loss and RTT become metrics; thresholds on both decide WARN/CRIT.
 */
import { z } from 'zod';
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
  for (const t of targets) {
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

  const results = new Map<string, PingStats>();
  let unresolved = false;
  let failure: string | undefined;
  for (const chunk of chunkTargets(addresses)) {
    const remaining = ctx.timeoutMs - (performance.now() - started);
    const res = await ctx.run(FPING, fpingArgs(params, chunk), { timeoutMs: Math.max(1, remaining), signal: ctx.signal });
    if (res.spawnError) throw new Error(`could not run fping: ${res.spawnError}`);
    if (res.timedOut) {
      failure = ctx.signal.aborted
        ? 'fping was stopped before it finished (check aborted)'
        : `fping did not finish within the check timeout of ${seconds(ctx.timeoutMs)} s`;
      break;
    }
    // 0: all answered; 1: some did not (a result, not an error); 2: some names/addresses not found.
    if (res.code !== 0 && res.code !== 1 && res.code !== 2) {
      throw new Error(`fping failed (exit ${res.code ?? 'signal'}): ${firstLine(res.stderr) || 'no message'}`);
    }
    if (res.code === 2) unresolved = true;
    for (const [addr, stats] of parseFpingOutput(res.stderr)) results.set(addr, stats);
    // Some builds print summaries on stdout; it is empty with -q otherwise.
    if (res.stdout.length > 0) for (const [addr, stats] of parseFpingOutput(res.stdout)) results.set(addr, stats);
  }

  const durationMs = Math.round(performance.now() - started);
  for (const [address, hosts] of byAddress) {
    const stats = results.get(address);
    let outcome: Omit<CheckOutcome, 'hostId'>;
    if (stats) {
      const v = evaluatePing(stats, params);
      outcome = { status: v.status, summary: v.summary, metrics: v.metrics, durationMs };
    } else {
      const summary =
        failure ??
        (unresolved ? `fping could not resolve "${address}" (unknown host name or bad address)` : `fping printed no result for "${address}"`);
      outcome = { status: 'UNKNOWN', summary, durationMs };
    }
    for (const h of hosts) outcomes.push({ hostId: h.id, ...outcome });
  }
  return outcomes;
}

const seconds = (ms: number) => String(Math.round(ms / 100) / 10);
const firstLine = (s: string) => (s.trim().split('\n')[0] ?? '').slice(0, 300);
