// Before `npm start`: bundle the server and CLI into dist/corral.mjs with esbuild when missing or
// older than the sources. Plain node then starts one file instead of compiling hundreds of
// modules (start-up ~0.4 s instead of ~1 s). PGlite (its WASM sits beside its JS) and ssh2 (an
// optional native binding) and the inline GraphiQL page (9 MB, loaded on first visit) stay in
// node_modules.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'dist', 'corral.mjs');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'clients', 'cli')), statSync(join(root, 'package.json')).mtimeMs);
if (!existsSync(out) || statSync(out).mtimeMs < sources) {
  await build({
    entryPoints: [join(root, 'clients', 'cli', 'main.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['@electric-sql/pglite', '@graphql-yoga/render-graphiql', 'ssh2', 'esbuild', 'bufferutil', 'utf-8-validate'],
    // Some bundled CommonJS dependencies call require(); give the ESM bundle one.
    banner: { js: "import { createRequire as __corralRequire } from 'node:module'; const require = __corralRequire(import.meta.url);" },
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
