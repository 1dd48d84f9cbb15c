// The one esbuild configuration for the server + CLI bundle (dist/corral.cjs), shared by
// `npm start` (scripts/prepare-start.mjs) and bench/startup, so what is measured is what runs.
// CommonJS rather than ESM so that scripts/run-bundle.cjs can compile it with a V8 code cache
// (Node 20 has no module compile cache): a restart then skips parsing and compiling ~4 MB.
// PGlite (its WASM sits beside its JS), ssh2 (an optional native binding) and the inline GraphiQL
// page (9 MB, loaded on first visit) stay in node_modules.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

export const BUNDLE_ENTRY = join(root, 'clients', 'cli', 'bundle-entry.ts');

/**
 * PGlite runs on a worker thread, which loads the real package from node_modules; the main
 * thread's drizzle driver only needs its type OIDs (src/db/pglite-main-thread.ts).
 */
const pgliteOnItsThread = {
  name: 'pglite-on-its-thread',
  setup(build) {
    build.onResolve({ filter: /^@electric-sql\/pglite$/ }, () => ({ path: join(root, 'src', 'db', 'pglite-main-thread.ts') }));
  },
};

/** Builds the bundle to `outfile` and removes its stale code cache. */
export async function buildServer(outfile, { sourcemap = true } = {}) {
  await build({
    entryPoints: [BUNDLE_ENTRY],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['@electric-sql/pglite', '@graphql-yoga/render-graphiql', 'ssh2', 'esbuild', 'bufferutil', 'utf-8-validate', 'vite'],
    // src/paths.ts finds the project from its own URL; in CommonJS that is this file's.
    define: { 'import.meta.url': '__corralModuleUrl' },
    // import() of an external becomes require() (their CommonJS builds): a native import() inside
    // vm.Script needs --experimental-vm-modules on Node 20, and is lost with a code cache.
    supported: { 'dynamic-import': false },
    banner: { js: "var __corralModuleUrl = require('node:url').pathToFileURL(__filename).href;" },
    // No comments in the bundle: it is then pure ASCII, which run-bundle.cjs reads without UTF-8
    // decoding (~8 ms instead of ~23 ms at every start). Names stay; the source map maps lines.
    minifyWhitespace: true,
    sourcemap: sourcemap ? 'linked' : false,
    logLevel: 'warning',
    plugins: [pgliteOnItsThread],
  });
  rmSync(`${outfile}.v8cache`, { force: true });
}
