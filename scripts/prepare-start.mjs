// Before `npm start`: build what is missing or older than its sources, so `npm ci && npm start`
// just works.
// - the dashboard (clients/web/dist), which the server serves at /; a failed build only warns;
// - the server and CLI bundled into dist/corral.cjs with esbuild (scripts/build-server.mjs), so
//   plain node starts one file instead of compiling hundreds of modules; scripts/run-bundle.cjs
//   runs it with a V8 code cache.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildServer } from './build-server.mjs';

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

const bundle = join(root, 'dist', 'corral.cjs');
if (stale(bundle, join(root, 'src'), join(root, 'clients', 'cli'), join(root, 'package.json'), join(root, 'scripts', 'build-server.mjs'))) {
  await buildServer(bundle);
}
