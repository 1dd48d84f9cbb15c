/** A small counting semaphore: bounds how many BMC sessions (ipmitool processes) run at once. */
import type { CommandRunner } from '../../core/command.js';

export interface Semaphore {
  readonly limit: number;
  /** Runs `fn` once a slot is free; rejects if `signal` aborts while still waiting. */
  use<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T>;
}

export function createSemaphore(limit: number): Semaphore {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`semaphore limit must be a positive integer, got ${limit}`);
  let active = 0;
  const waiting: Array<() => void> = [];

  const acquire = (signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      if (active < limit) {
        active += 1;
        return resolve();
      }
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        active += 1;
        resolve();
      };
      const onAbort = () => {
        const i = waiting.indexOf(grant);
        if (i >= 0) waiting.splice(i, 1);
        reject(signal?.reason ?? new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(grant);
    });

  const release = () => {
    active -= 1;
    waiting.shift()?.();
  };

  return {
    limit,
    async use(fn, signal) {
      await acquire(signal);
      try {
        return await fn();
      } finally {
        release();
      }
    },
  };
}

/** A CommandRunner that takes a semaphore slot per process, so every caller shares one bound. */
export function limitRunner(run: CommandRunner, semaphore: Semaphore): CommandRunner {
  return (file, args, options) => semaphore.use(() => run(file, args, options), options.signal);
}
