/**
 * applyOutcome on its own: the first-result rule, hysteresis both ways, flapping, suspect sweeps
 * and the circuit breaker (backoff doubling up to the maximum, said in the summary, reset on success).
 */
import { describe, expect, it } from 'vitest';
import { applyOutcome, type NextState, type PriorState, type Thresholds } from '../../src/core/checks/transition.js';
import type { CheckStatus } from '../../src/core/plugin.js';

const T: Thresholds = { failThreshold: 3, okThreshold: 2, intervalS: 10, maxBackoffS: 100 };
const t0 = new Date('2024-05-01T12:00:00Z');
const pending: PriorState = { status: 'UNKNOWN', since: t0, consecutiveFailures: 0, consecutiveOk: 0, backoffS: 0, resultCount: 0 };
const out = (status: CheckStatus, summary = `raw ${status}`) => ({ hostId: 'h', status, summary, durationMs: 5 });

/** Applies raw statuses one after another (one interval apart); returns every state. */
function run(prior: PriorState, statuses: CheckStatus[], t: Thresholds = T, opts: { suspectSweep?: boolean } = {}): NextState[] {
  const states: NextState[] = [];
  let p = prior;
  statuses.forEach((s, i) => {
    const next = applyOutcome(p, out(s), t, new Date(t0.getTime() + (i + 1) * 10_000), opts);
    states.push(next);
    p = next;
  });
  return states;
}

describe('applyOutcome', () => {
  it('takes the first result as it is, whatever the thresholds', () => {
    const [crit] = run(pending, ['CRIT']);
    expect(crit).toMatchObject({ status: 'CRIT', lastStatus: 'CRIT', changed: true, resultCount: 1, consecutiveFailures: 1 });
    const [ok] = run(pending, ['OK']);
    expect(ok).toMatchObject({ status: 'OK', changed: true, consecutiveOk: 1 });
    expect(ok!.since.getTime()).toBe(t0.getTime() + 10_000);
  });

  it('turns bad only after failThreshold consecutive failures, and recovers after okThreshold successes', () => {
    const s = run(pending, ['OK', 'CRIT', 'CRIT', 'CRIT', 'OK', 'OK', 'OK']);
    expect(s.map((x) => x.status)).toEqual(['OK', 'OK', 'OK', 'CRIT', 'CRIT', 'OK', 'OK']);
    expect(s.map((x) => x.changed)).toEqual([true, false, false, true, false, true, false]);
    expect(s.map((x) => x.lastStatus)).toEqual(['OK', 'CRIT', 'CRIT', 'CRIT', 'OK', 'OK', 'OK']);
    // since moves only on a change
    expect(s[2]!.since).toEqual(s[0]!.since);
    expect(s[3]!.since.getTime()).toBe(t0.getTime() + 40_000);
    expect(s[4]!.since).toEqual(s[3]!.since);
  });

  it('a flapping result (alternating) never changes the state', () => {
    const fromOk = run(pending, ['OK', ...Array.from({ length: 12 }, (_, i): CheckStatus => (i % 2 ? 'OK' : 'CRIT'))]).slice(1);
    expect(fromOk.every((x) => x.status === 'OK' && !x.changed)).toBe(true);
    const fromCrit = run(pending, ['CRIT', ...Array.from({ length: 12 }, (_, i): CheckStatus => (i % 2 ? 'CRIT' : 'OK'))]).slice(1);
    expect(fromCrit.every((x) => x.status === 'CRIT' && !x.changed)).toBe(true);
  });

  it('moves between bad states at once (WARN → CRIT) and counts WARN as a failure towards the threshold', () => {
    const s = run(pending, ['OK', 'WARN', 'CRIT', 'WARN', 'CRIT']);
    expect(s.map((x) => x.status)).toEqual(['OK', 'OK', 'OK', 'WARN', 'CRIT']);
    expect(s.map((x) => x.changed)).toEqual([true, false, false, true, true]);
  });

  it('a suspect sweep never turns a good state bad, but a recovery still counts', () => {
    const [ok] = run(pending, ['OK']);
    const s = run(ok!, ['CRIT', 'CRIT', 'CRIT', 'CRIT'], T, { suspectSweep: true });
    expect(s.every((x) => x.status === 'OK' && !x.changed)).toBe(true);
    expect(s.at(-1)!.lastStatus).toBe('CRIT');
  });

  it('circuit breaker: backoff doubles up to maxBackoffS, the summary says so, and the first success resets it', () => {
    const s = run(pending, ['OK', 'CRIT', 'CRIT', 'CRIT', 'CRIT', 'CRIT', 'CRIT', 'CRIT', 'OK']);
    expect(s.map((x) => x.backoffS)).toEqual([0, 0, 0, 20, 40, 80, 100, 100, 0]);
    // Before the threshold: plain interval, plain summary.
    expect(s[1]!.summary).toBe('raw CRIT');
    expect(s[1]!.nextDueAt.getTime() - s[1]!.observedAt.getTime()).toBe(10_000);
    // Established failure: waits the backoff and says it is probing.
    expect(s[3]!.summary).toBe('raw CRIT (failing 3×; probing every 20s until it recovers)');
    expect(s[6]!.summary).toContain('probing every 100s');
    expect(s[6]!.nextDueAt.getTime() - s[6]!.observedAt.getTime()).toBe(100_000);
    // First success: back to the normal interval at once (the state itself still needs okThreshold).
    const recovered = s[8]!;
    expect(recovered).toMatchObject({ backoffS: 0, status: 'CRIT', summary: 'raw OK', consecutiveFailures: 0 });
    expect(recovered.nextDueAt.getTime() - recovered.observedAt.getTime()).toBe(10_000);
  });

  it('no backoff when maxBackoffS is not above the interval', () => {
    const s = run(pending, ['CRIT', 'CRIT', 'CRIT', 'CRIT'], { ...T, maxBackoffS: 10 });
    expect(s.every((x) => x.backoffS === 0 && x.nextDueAt.getTime() - x.observedAt.getTime() === 10_000)).toBe(true);
  });

  it('counts the next due time from when the run started, when told', () => {
    const started = new Date(t0.getTime() - 3_000);
    const next = applyOutcome(pending, out('OK'), T, t0, { dueFrom: started });
    expect(next.observedAt).toEqual(t0);
    expect(next.nextDueAt.getTime()).toBe(started.getTime() + 10_000);
  });

  it('keeps metrics only when present and clips summaries', () => {
    const withMetrics = applyOutcome(pending, { ...out('OK'), metrics: { rtt_ms: 0.1 } }, T, t0);
    expect(withMetrics.metrics).toEqual({ rtt_ms: 0.1 });
    expect(applyOutcome(pending, { ...out('OK'), metrics: {} }, T, t0).metrics).toBeNull();
    expect(applyOutcome(pending, out('OK', 'x'.repeat(5000)), T, t0).summary).toHaveLength(2000);
  });
});
