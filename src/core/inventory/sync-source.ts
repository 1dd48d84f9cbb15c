/**
 * Inventory synced from an outside source (Slurm partitions …): hosts are created when missing,
 * and the source's groups get exactly the members the source names. Static groups, and groups of
 * other sources, are never touched; a host is never deleted by a sync.
 */
import { and, eq, inArray, notInArray } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type GroupSource, groups, hostGroups, hosts } from '../../db/tables/inventory.js';
import { validateAddress, validateGroupName, validateHostName } from '../host-names.js';

export interface SourceInventory {
  hosts: { name: string; address?: string | null }[];
  groups: { name: string; hosts: string[] }[];
}

export interface SyncSummary {
  createdHosts: string[];
  groups: string[];
  skipped: string[];
}

export async function syncSourceInventory(db: Db, source: GroupSource, inv: SourceInventory): Promise<SyncSummary> {
  const skipped: string[] = [];
  const validHosts = inv.hosts.filter((h) => {
    const ok = !validateHostName(h.name) && (!h.address || !validateAddress(h.address));
    if (!ok) skipped.push(h.name);
    return ok;
  });
  const validGroups = inv.groups.filter((g) => {
    const ok = !validateGroupName(g.name);
    if (!ok) skipped.push(`@${g.name}`);
    return ok;
  });
  return db.transaction(async (tx) => {
    const names = validHosts.map((h) => h.name);
    const existing = names.length ? await tx.select({ name: hosts.name }).from(hosts).where(inArray(hosts.name, names)) : [];
    const known = new Set(existing.map((e) => e.name));
    const fresh = validHosts.filter((h) => !known.has(h.name));
    if (fresh.length) await tx.insert(hosts).values(fresh.map((h) => ({ name: h.name, address: h.address ?? null }))).onConflictDoNothing();
    const rows = names.length ? await tx.select({ id: hosts.id, name: hosts.name }).from(hosts).where(inArray(hosts.name, names)) : [];
    const idOf = new Map(rows.map((r) => [r.name, r.id]));
    for (const g of validGroups) {
      const [existingGroup] = await tx.select().from(groups).where(eq(groups.name, g.name));
      // A same-named group from another source (e.g. a static "gpu") is left alone.
      if (existingGroup && existingGroup.source !== source) {
        skipped.push(`@${g.name}`);
        continue;
      }
      const groupId = existingGroup?.id ?? (await tx.insert(groups).values({ name: g.name, source }).returning())[0]!.id;
      const memberIds = g.hosts.map((n) => idOf.get(n)).filter((id): id is string => !!id);
      await tx.delete(hostGroups).where(and(eq(hostGroups.groupId, groupId), memberIds.length ? notInArray(hostGroups.hostId, memberIds) : undefined));
      if (memberIds.length) await tx.insert(hostGroups).values(memberIds.map((hostId) => ({ hostId, groupId }))).onConflictDoNothing();
    }
    const keep = validGroups.map((g) => g.name);
    await tx.delete(groups).where(and(eq(groups.source, source), keep.length ? notInArray(groups.name, keep) : undefined));
    return { createdHosts: fresh.map((h) => h.name), groups: keep, skipped };
  });
}
