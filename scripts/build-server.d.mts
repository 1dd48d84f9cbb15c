// Types for build-server.mjs (a plain ESM build script that node runs without a loader).
export const BUNDLE_ENTRY: string;
/** Builds the server + CLI bundle to `outfile` and removes its stale V8 code cache. */
export function buildServer(outfile: string, options?: { sourcemap?: boolean }): Promise<void>;
