/** Bearer token → Principal. One query for the token and one for the user's grants. */
import { and, eq, gt, inArray, isNull, lt, or } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiTokens, grants, users } from '../../db/tables/auth.js';
import { groups } from '../../db/tables/inventory.js';
import { agents } from '../../db/tables/work.js';
import { ANONYMOUS, type Grant, type Principal, ROLE_RANK } from './principal.js';
import { hashToken } from './tokens.js';

/** last_used_at is written at most this often per token, so reads stay reads. */
const LAST_USED_RESOLUTION_MS = 60_000;

export function bearerFrom(header: string | null | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return m ? m[1]! : null;
}

export async function authenticate(db: Db, token: string | null, now = new Date()): Promise<Principal> {
  if (!token) return ANONYMOUS;
  const [row] = await db
    .select()
    .from(apiTokens)
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now))));
  if (!row) return ANONYMOUS;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS)))));
  }
  if (row.kind === 'AGENT') {
    if (!row.agentId) return ANONYMOUS;
    const [agent] = await db.select({ id: agents.id, name: agents.name }).from(agents).where(eq(agents.id, row.agentId));
    return agent ? { kind: 'agent', agentId: agent.id, agentName: agent.name, tokenId: row.id } : ANONYMOUS;
  }
  if (!row.userId) return ANONYMOUS;
  const [user] = await db.select().from(users).where(eq(users.id, row.userId));
  if (!user || user.disabled) return ANONYMOUS;
  const userGrants = await loadGrants(db, user.id);
  return { kind: 'user', userId: user.id, username: user.username, tokenId: row.id, grants: await narrow(db, userGrants, row.maxRole, row.groupNames) };
}

export async function loadGrants(db: Db, userId: string): Promise<Grant[]> {
  const rows = await db
    .select({ role: grants.role, groupId: grants.groupId, groupName: groups.name })
    .from(grants)
    .leftJoin(groups, eq(groups.id, grants.groupId))
    .where(eq(grants.userId, userId));
  return rows.map((r) => ({ role: r.role, groupId: r.groupId, groupName: r.groupName }));
}

/**
 * An API token may carry less than its owner: at most `maxRole`, and only within `groupNames` when
 * given (a global grant then counts only in those groups).
 */
async function narrow(db: Db, userGrants: Grant[], maxRole: Grant['role'] | null, groupNames: string[] | null): Promise<Grant[]> {
  let out = maxRole ? userGrants.map((g) => (ROLE_RANK[g.role] > ROLE_RANK[maxRole] ? { ...g, role: maxRole } : g)) : userGrants;
  if (groupNames && groupNames.length > 0) {
    const scoped = await db.select({ id: groups.id, name: groups.name }).from(groups).where(inArray(groups.name, groupNames));
    out = out.flatMap((g) => {
      if (g.groupId === null) return scoped.map((s) => ({ role: g.role, groupId: s.id, groupName: s.name }));
      return g.groupName !== null && groupNames.includes(g.groupName) ? [g] : [];
    });
  }
  return out;
}
