/** The key that encrypts plugin secrets: CORRAL_SECRET_KEY, or one generated once into the data dir (0600). */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/logger.js';

export function loadSecretKey(configured: string | undefined, dataDir: string, log: Logger): string {
  if (configured) return configured;
  const file = join(dataDir, 'secret.key');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32).toString('base64');
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  log.warn('generated a new secret key for plugin secrets; back it up or set CORRAL_SECRET_KEY', { file });
  return key;
}
