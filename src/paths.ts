/**
 * Where the project's files are (migrations, the built dashboard), whether this code runs from
 * src/ under tsx or bundled into dist/: the nearest folder above that holds `migrations/`.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'migrations')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the Corral project folder (with migrations/) above this module');
    dir = up;
  }
}

export const PROJECT_ROOT = findRoot();
export const MIGRATIONS_DIR = join(PROJECT_ROOT, 'migrations');
export const WEB_DIST_DIR = join(PROJECT_ROOT, 'clients', 'web', 'dist');
