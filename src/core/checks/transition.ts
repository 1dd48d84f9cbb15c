/**
 * One result applied to one check state: hysteresis (N failures to turn bad, M successes to
 * recover), the circuit breaker (a host that keeps failing is probed with growing backoff and says
 * so), and whether the reported status changed. Pure, so it is tested on its own.
 */
import type { CheckOutcome, CheckStatus } from '../plugin.js';

export interface PriorState {
  status: CheckStatus;
  since: Date;
  consecutiveFailures: number;
  consecutiveOk: number;
  backoffS: number;
  resultCount: number;
}

export interface Thresholds {
  failThreshold: number;
  okThreshold: number;
  intervalS: number;
  maxBackoffS: number;
}

export interface NextState extends PriorState {
  lastStatus: CheckStatus;
  summary: string;
  metrics: Record<string, number> | null;
  observedAt: Date;
  nextDueAt: Date;
  durationMs: number;
  changed: boolean;
}

/**
 * Whether the sweep-wide suspect verdict could change what `outcome` does to `prior`: only a
 * failure on a state that is OK (and has results) can be held back by a suspect sweep. Outcomes for
 * which this is false may be written before the rest of the sweep is known.
 */
export function suspectMatters(prior: PriorState, outcome: CheckOutcome): boolean {
  return prior.resultCount > 0 && prior.status === 'OK' && outcome.status !== 'OK';
}

/**
 * `opts.dueFrom`: when the run that produced `outcome` started; the next run is due `waitS` after
 * it (default: `now`).
 */
export function applyOutcome(prior: PriorState, outcome: CheckOutcome, t: Thresholds, now: Date, opts: { suspectSweep?: boolean; dueFrom?: Date } = {}): NextState {
  const raw = outcome.status;
  const failing = raw !== 'OK';
  const consecutiveFailures = failing ? prior.consecutiveFailures + 1 : 0;
  const consecutiveOk = failing ? 0 : prior.consecutiveOk + 1;

  let status = prior.status;
  if (prior.resultCount === 0) {
    status = raw; // the first result is taken as it is: there is no state to protect yet
  } else if (prior.status === 'OK') {
    // A suspect sweep (most of the fleet failing at once) never turns hosts bad.
    if (failing && consecutiveFailures >= t.failThreshold && !opts.suspectSweep) status = raw;
  } else if (!failing) {
    if (consecutiveOk >= t.okThreshold) status = 'OK';
  } else {
    status = raw; // bad to another bad (WARN → CRIT): not flapping, take it
  }

  // Circuit breaker: once a failure is established, double the wait each time up to maxBackoffS.
  let backoffS = 0;
  if (failing && consecutiveFailures >= t.failThreshold) {
    backoffS = Math.min(t.maxBackoffS, Math.max(t.intervalS, prior.backoffS > 0 ? prior.backoffS * 2 : t.intervalS * 2));
    if (backoffS <= t.intervalS) backoffS = 0;
  }
  const waitS = backoffS > 0 ? backoffS : t.intervalS;
  const summary = backoffS > 0 ? `${outcome.summary} (failing ${consecutiveFailures}×; probing every ${backoffS}s until it recovers)` : outcome.summary;

  return {
    status,
    since: status !== prior.status || prior.resultCount === 0 ? now : prior.since,
    consecutiveFailures,
    consecutiveOk,
    backoffS,
    resultCount: prior.resultCount + 1,
    lastStatus: raw,
    summary: summary.slice(0, 2000),
    metrics: outcome.metrics && Object.keys(outcome.metrics).length ? outcome.metrics : null,
    observedAt: now,
    nextDueAt: new Date((opts.dueFrom ?? now).getTime() + waitS * 1000),
    durationMs: outcome.durationMs,
    changed: status !== prior.status || prior.resultCount === 0,
  };
}
