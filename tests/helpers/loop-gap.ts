/** How long the event loop stood still at worst while `run` ran: a 1 ms timer's longest gap. */
export async function worstLoopGap<T>(run: () => Promise<T>): Promise<{ result: T; worstGapMs: number; tookMs: number }> {
  let last = performance.now();
  let worstGapMs = 0;
  const timer = setInterval(() => {
    const t = performance.now();
    worstGapMs = Math.max(worstGapMs, t - last);
    last = t;
  }, 1);
  const started = performance.now();
  try {
    const result = await run();
    return { result, worstGapMs, tookMs: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}
