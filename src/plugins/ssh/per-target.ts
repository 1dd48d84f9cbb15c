/** Runs one measurement per target with a concurrency cap, timing each and never letting one host's bug sink the batch. */
import type { CheckContext, CheckOutcome, HostTarget } from '../../core/plugin.js';

export type Measured = Omit<CheckOutcome, 'hostId' | 'durationMs'>;

/** Enough to sweep a rack in parallel without opening hundreds of sockets at once. */
const CONCURRENCY = 32;

export async function perTarget(
  targets: HostTarget[],
  ctx: CheckContext,
  measure: (target: HostTarget, deadline: number) => Promise<Measured>,
): Promise<CheckOutcome[]> {
  const outcomes: CheckOutcome[] = new Array(targets.length);
  // Leave a little room so we answer before the scheduler gives up on us.
  const deadline = performance.now() + Math.max(100, ctx.timeoutMs - 100);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const t = targets[i];
      if (!t) return;
      const started = performance.now();
      let m: Measured;
      try {
        m = await measure(t, deadline);
      } catch (e) {
        ctx.log.warn('ssh check failed unexpectedly', { host: t.name, error: (e as Error).message });
        m = { status: 'UNKNOWN', summary: `check failed: ${(e as Error).message}` };
      }
      outcomes[i] = { hostId: t.id, ...m, durationMs: Math.round(performance.now() - started) };
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, targets.length) }, worker));
  return outcomes;
}
