// Before `npm start`: bundle the server and CLI into dist/corral.mjs with esbuild (dependencies
// stay in node_modules), when missing or older than the sources. Plain node then starts it,
// without a TypeScript loader in the way.
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
    packages: 'external',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
}
