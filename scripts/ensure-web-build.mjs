// Before `npm start`: build the dashboard when clients/web/dist is missing or older than its sources,
// so `npm ci && npm start` serves it. A failed build only warns: the API still starts.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const web = new URL('../clients/web/', import.meta.url).pathname;
const built = join(web, 'dist', 'index.html');

function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

const sources = Math.max(newest(join(web, 'src')), statSync(join(web, 'index.html')).mtimeMs);
if (!existsSync(built) || statSync(built).mtimeMs < sources) {
  process.stderr.write('corral: building the web dashboard (once)…\n');
  const r = spawnSync(process.execPath, [join(web, '../../node_modules/vite/bin/vite.js'), 'build', '--config', join(web, 'vite.config.ts')], { stdio: 'inherit' });
  if (r.status !== 0) process.stderr.write('corral: the dashboard build failed; the API starts anyway (npm run build:web to retry)\n');
}
