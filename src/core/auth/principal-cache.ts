/**
 * Bearer token → principal, remembered between requests: without it every request paid one more
 * database round trip before doing anything (a dashboard page of 100 hosts is 3 statements).
 *
 * Staleness is bounded three ways:
 * - a database trigger announces every change to users, grants, tokens, groups and agent names
 *   (`authChanged`, migration auth_changes_notify) to every server, whoever made it;
 * - `invalidate()` is called by this server after each mutation by a user (agents' heartbeats do
 *   not), so a client that revokes a token and uses it at once is refused here without waiting
 *   for the notification;
 * - an entry lives at most `ttlMs`, in case a notification was lost with the listening connection.
 * A token's own expiry is checked on every hit. Unknown tokens are not remembered.
 */
import type { Db } from '../../db/client.js';
import type { PubSub } from '../pubsub.js';
import { resolveToken } from './authenticate.js';
import { ANONYMOUS, type Principal } from './principal.js';
import { hashToken } from './tokens.js';

export const PRINCIPAL_TTL_MS = 10_000;
/** Past this many live tokens the cache starts over rather than growing. */
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  expiresAt: number;
  cachedAt: number;
}

export interface PrincipalCache {
  authenticate(token: string | null): Promise<Principal>;
  invalidate(): void;
  close(): void;
}

export function createPrincipalCache(db: Db, pubsub: PubSub, ttlMs = PRINCIPAL_TTL_MS): PrincipalCache {
  const entries = new Map<string, Entry>();
  // Bumped by every invalidation: a lookup that started before one must not store what it read.
  let generation = 0;
  const invalidate = () => {
    generation++;
    entries.clear();
  };
  const off = pubsub.on('authChanged', invalidate);
  return {
    async authenticate(token) {
      if (!token) return ANONYMOUS;
      const key = hashToken(token);
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && now < hit.expiresAt && now - hit.cachedAt < ttlMs) return hit.principal;
      if (hit) entries.delete(key);
      const started = generation;
      const { principal, expiresAt } = await resolveToken(db, token, new Date(now));
      if (principal.kind !== 'anonymous' && started === generation) {
        if (entries.size >= MAX_ENTRIES) entries.clear();
        entries.set(key, { principal, expiresAt: expiresAt?.getTime() ?? Number.POSITIVE_INFINITY, cachedAt: now });
      }
      return principal;
    },
    invalidate,
    close: off,
  };
}
