/**
 * Turns host arguments (names, hostlist ranges, @groups) into host rows, all or nothing: an unknown
 * name or group is an error naming it, before anything happens.
 */
import { eq, inArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { groups, hostGroups, hosts } from '../../db/tables/inventory.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { HostlistError, parseHostArgs } from '../hostlist.js';
import { naturalCompare } from '../natural-order.js';

export type HostRow = typeof hosts.$inferSelect;

export function parseHostArgsOrThrow(args: string[], field = 'hosts'): { names: string[]; groups: string[] } {
  if (args.length === 0) throw new ValidationError('no hosts given', field);
  try {
    return parseHostArgs(args);
  } catch (e) {
    if (e instanceof HostlistError) throw new ValidationError(e.message, field);
    throw e;
  }
}

export async function selectHosts(db: Db, args: string[], field = 'hosts'): Promise<HostRow[]> {
  const parsed = parseHostArgsOrThrow(args, field);
  const byId = new Map<string, HostRow>();
  if (parsed.groups.length > 0) {
    const found = await db.select({ id: groups.id, name: groups.name }).from(groups).where(inArray(groups.name, parsed.groups));
    const missing = parsed.groups.filter((g) => !found.some((f) => f.name === g));
    if (missing.length) throw new NotFoundError(`unknown group${missing.length > 1 ? 's' : ''}: ${missing.map((m) => `@${m}`).join(', ')}`, field);
    const members = await db
      .select({ host: hosts })
      .from(hostGroups)
      .innerJoin(hosts, eq(hostGroups.hostId, hosts.id))
      .where(
        inArray(
          hostGroups.groupId,
          found.map((f) => f.id),
        ),
      );
    for (const m of members) byId.set(m.host.id, m.host);
  }
  if (parsed.names.length > 0) {
    const rows = await db.select().from(hosts).where(inArray(hosts.name, parsed.names));
    const known = new Set(rows.map((r) => r.name));
    const missing = parsed.names.filter((n) => !known.has(n));
    if (missing.length) {
      const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? ` and ${missing.length - 5} more` : '');
      throw new NotFoundError(`unknown host${missing.length > 1 ? 's' : ''}: ${shown}`, field);
    }
    for (const r of rows) byId.set(r.id, r);
  }
  return [...byId.values()].sort((a, b) => naturalCompare(a.name, b.name));
}

/** Group ids of each host, in one statement. */
export async function groupIdsOfHosts(db: Db, hostIds: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>(hostIds.map((id) => [id, []]));
  if (hostIds.length === 0) return map;
  const rows = await db.select().from(hostGroups).where(inArray(hostGroups.hostId, hostIds));
  for (const r of rows) map.get(r.hostId)?.push(r.groupId);
  return map;
}
