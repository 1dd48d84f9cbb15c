/**
 * What the server bundle gets for `@electric-sql/pglite` (scripts/build-server.mjs): PGlite runs
 * on its own thread (src/db/pglite-worker.mjs loads the real package there), and on the main
 * thread drizzle's PGlite driver only reads these type OIDs when it loads. Loading the real package
 * here as well cost every embedded start ~40 ms of the main thread.
 */
export const types = {
  DATE: 1082,
  TIMESTAMP: 1114,
  TIMESTAMPTZ: 1184,
  INTERVAL: 1186,
} as const;

export class PGlite {
  constructor() {
    throw new Error('PGlite runs on its own thread (src/db/pglite-thread.ts)');
  }
}
