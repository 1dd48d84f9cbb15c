/**
 * Keeping the event loop responsive while one job handles thousands of rows (a 10,000-host sweep):
 * the work goes in slices with a turn of the loop between them, so timers, sockets and requests
 * are not held up for the whole job.
 */

/** Items handled between two yields: small enough for a few ms of work, large enough to stay cheap. */
export const LOOP_SLICE = 500;

/** Lets pending I/O and timers run between slices of a long synchronous job. */
export const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Maps `items` in slices of `slice`, yielding to the event loop between slices. */
export async function mapInSlices<T, R>(items: readonly T[], f: (item: T) => R, slice = LOOP_SLICE): Promise<R[]> {
  const out: R[] = new Array(items.length);
  for (let i = 0; i < items.length; i += slice) {
    if (i > 0) await yieldToLoop();
    const end = Math.min(items.length, i + slice);
    for (let j = i; j < end; j++) out[j] = f(items[j]!);
  }
  return out;
}
