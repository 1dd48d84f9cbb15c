/**
 * What the signed-in user may do, from their grants: the same rule the server applies (a role
 * everywhere, or within groups). The server still checks every action; this only hides buttons.
 */
import type { Role, SessionUser } from './session.js';

const RANK: Record<Role, number> = { VIEWER: 1, OPERATOR: 2, ADMIN: 3 };

/** The highest role the user holds on a host in these groups (null: none). */
export function roleOnHost(user: SessionUser, hostGroups: readonly string[]): Role | null {
  let best: Role | null = null;
  for (const g of user.grants) {
    if (g.group !== null && !hostGroups.includes(g.group)) continue;
    if (!best || RANK[g.role] > RANK[best]) best = g.role;
  }
  return best;
}

/** True when the user holds at least `role` on every one of the hosts (given by their groups). */
export function canOnAll(user: SessionUser, role: Role, hosts: readonly (readonly string[])[]): boolean {
  if (hosts.length === 0) return false;
  return hosts.every((groups) => {
    const r = roleOnHost(user, groups);
    return r !== null && RANK[r] >= RANK[role];
  });
}

/** True when the user holds at least `role` anywhere (e.g. an operator of one group may edit checks). */
export function hasRole(user: SessionUser, role: Role): boolean {
  return user.role !== null && RANK[user.role] >= RANK[role];
}

/** An admin everywhere: may override a missing recommendation (force) and the bulk limit. */
export function isGlobalAdmin(user: SessionUser): boolean {
  return user.grants.some((g) => g.role === 'ADMIN' && g.group === null);
}
