/**
 * Runs `create` while `globalThis.Request` is a plain, undefined property. In Node 20 that global
 * is a lazy getter that loads Node's bundled undici (~15 ms, a tenth of a Postgres-mode start);
 * yoga's server adapter reads it once at creation, only to see that its own Request differs from
 * it (which it then does either way). Corral serves through yoga's fetch API and never needs Node's.
 */
export function withoutNodeRequest<T>(create: () => T): T {
  const lazy = Object.getOwnPropertyDescriptor(globalThis, 'Request');
  if (!lazy?.get || !lazy.configurable) return create();
  Object.defineProperty(globalThis, 'Request', { value: undefined, configurable: true, writable: true, enumerable: lazy.enumerable });
  try {
    return create();
  } finally {
    Object.defineProperty(globalThis, 'Request', lazy);
  }
}
