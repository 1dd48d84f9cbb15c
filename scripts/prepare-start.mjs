// Before `npm start`: build what is missing or older than its sources, so `npm ci && npm start`
// just works.
// - the dashboard (clients/web/dist), which the server serves at /; a failed build only warns;
// - the server and CLI bundled into dist/corral.mjs with esbuild, so plain node starts one file
//   instead of compiling hundreds of modules (~0.5 s instead of ~2 s). PGlite (its WASM sits beside
//   its JS), ssh2 (an optional native binding) and the inline GraphiQL page (9 MB, loaded on first
//   visit) stay in node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;

function newest(...paths) {
  let t = 0;
  for (const p of paths) {
    const st = statSync(p);
    if (!st.isDirectory()) t = Math.max(t, st.mtimeMs);
    else for (const e of readdirSync(p)) t = Math.max(t, newest(join(p, e)));
  }
  return t;
}
const stale = (output, ...sources) => !existsSync(output) || statSync(output).mtimeMs < newest(...sources);

const web = join(root, 'clients', 'web');
if (stale(join(web, 'dist', 'index.html'), join(web, 'src'), join(web, 'index.html'))) {
  process.stderr.write('corral: building the web dashboard (once)…\n');
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(web, 'vite.config.ts')], { stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('corral: the dashboard build failed; the API starts anyway (npm run build:web to retry)\n');
}

const bundle = join(root, 'dist', 'corral.mjs');
if (stale(bundle, join(root, 'src'), join(root, 'clients', 'cli'), join(root, 'package.json'))) {
  await build({
    entryPoints: [join(root, 'clients', 'cli', 'main.ts')],
    outfile: bundle,
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
