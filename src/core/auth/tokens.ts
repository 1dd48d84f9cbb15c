/** Bearer tokens: 32 random bytes, shown once; only their SHA-256 is stored (high entropy, so no slow hash needed). */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'crl_';

export function generateToken(): { token: string; hash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
