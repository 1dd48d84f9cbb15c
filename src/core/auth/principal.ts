/**
 * Who is calling and what they may do. Roles: VIEWER < OPERATOR < ADMIN, each grant global or scoped
 * to one group; AGENT acts only for its own agent. Reads are open to every authenticated user;
 * writes and actions check the grant for every target.
 */
import type { Role } from '../../db/tables/auth.js';

export const ROLE_RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

export interface Grant {
  role: Role;
  /** null: every host; otherwise the group's id. */
  groupId: string | null;
  groupName: string | null;
}

export type Principal =
  | { kind: 'anonymous' }
  | { kind: 'user'; userId: string; username: string; tokenId: string; grants: Grant[] }
  | { kind: 'agent'; agentId: string; agentName: string; tokenId: string };

export type UserPrincipal = Extract<Principal, { kind: 'user' }>;

export const ANONYMOUS: Principal = { kind: 'anonymous' };

/** Highest role held anywhere (for showing/hiding features), or null. */
export function highestRole(p: Principal): Role | null {
  if (p.kind !== 'user' || p.grants.length === 0) return null;
  return p.grants.reduce<Role>((best, g) => (ROLE_RANK[g.role] > ROLE_RANK[best] ? g.role : best), 'VIEWER');
}

/** Holds `role` globally (not merely in some group). */
export function hasGlobalRole(p: Principal, role: Role): boolean {
  return p.kind === 'user' && p.grants.some((g) => g.groupId === null && ROLE_RANK[g.role] >= ROLE_RANK[role]);
}

/** Holds `role` somewhere (globally or in at least one group). */
export function hasRoleSomewhere(p: Principal, role: Role): boolean {
  return p.kind === 'user' && p.grants.some((g) => ROLE_RANK[g.role] >= ROLE_RANK[role]);
}

/**
 * May the principal act with `role` on a host in these groups? True when a global grant suffices
 * or a grant scoped to one of the host's groups does.
 */
export function mayActOnHost(p: Principal, role: Role, hostGroupIds: readonly string[]): boolean {
  if (p.kind !== 'user') return false;
  return p.grants.some((g) => ROLE_RANK[g.role] >= ROLE_RANK[role] && (g.groupId === null || hostGroupIds.includes(g.groupId)));
}

export function actorName(p: Principal): string {
  if (p.kind === 'user') return p.username;
  if (p.kind === 'agent') return `agent:${p.agentName}`;
  return 'anonymous';
}
