/** Bearer token → Principal. */
import { and, eq, gt, inArray, isNull, lt, or, sql } from 'drizzle-orm';
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

/**
 * One statement resolves the token, its owner (user or agent) and the user's grants; a second
 * (at most once a minute per token) records last use.
 */
export async function authenticate(db: Db, token: string | null, now = new Date()): Promise<Principal> {
  return (await resolveToken(db, token, now)).principal;
}

/** The principal and until when the token is valid (null: no expiry), for caches. */
export async function resolveToken(db: Db, token: string | null, now = new Date()): Promise<{ principal: Principal; expiresAt: Date | null }> {
  const none = { principal: ANONYMOUS, expiresAt: null };
  if (!token) return none;
  const [row] = await db
    .select({
      token: apiTokens,
      user: { id: users.id, username: users.username, disabled: users.disabled },
      agent: { id: agents.id, name: agents.name },
      grants: sql<[Grant['role'], string | null, string | null][] | null>`(
        SELECT json_agg(json_build_array(g.role, g.group_id, gr.name))
        FROM ${grants} g LEFT JOIN ${groups} gr ON gr.id = g.group_id
        WHERE g.user_id = ${apiTokens.userId})`,
    })
    .from(apiTokens)
    .leftJoin(users, eq(users.id, apiTokens.userId))
    .leftJoin(agents, eq(agents.id, apiTokens.agentId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), or(isNull(apiTokens.expiresAt), gt(apiTokens.expiresAt, now))));
  if (!row) return none;
  const t = row.token;
  if (!t.lastUsedAt || now.getTime() - t.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, t.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, new Date(now.getTime() - LAST_USED_RESOLUTION_MS)))));
  }
  const expiresAt = t.expiresAt;
  if (t.kind === 'AGENT') return row.agent ? { principal: { kind: 'agent', agentId: row.agent.id, agentName: row.agent.name, tokenId: t.id }, expiresAt } : none;
  if (!row.user || row.user.disabled) return none;
  const raw = typeof row.grants === 'string' ? JSON.parse(row.grants) : row.grants;
  const userGrants: Grant[] = ((raw ?? []) as [Grant['role'], string | null, string | null][]).map(([role, groupId, groupName]) => ({ role, groupId, groupName }));
  const principal: Principal = { kind: 'user', userId: row.user.id, username: row.user.username, tokenId: t.id, grants: await narrow(db, userGrants, t.maxRole, t.groupNames) };
  return { principal, expiresAt };
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
