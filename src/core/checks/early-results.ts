/**
 * Keeping the event loop responsive while a sweep handles thousands of rows (and, with
 * CheckContext.reportEarly, writing early results while the check still runs).
 */

/** Lets pending I/O and timers run between slices of a long synchronous job (keeps event-loop delay low). */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Maps `items` in slices of `slice`, yielding to the event loop between slices. */
export async function mapInSlices<T, R>(items: readonly T[], slice: number, f: (item: T) => R): Promise<R[]> {
  const out: R[] = new Array(items.length);
  for (let i = 0; i < items.length; i += slice) {
    if (i > 0) await yieldToLoop();
    const end = Math.min(items.length, i + slice);
    for (let j = i; j < end; j++) out[j] = f(items[j]!);
  }
  return out;
}
