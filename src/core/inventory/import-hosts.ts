/**
 * importHosts: parse a genders / pdsh / CSV text and upsert every host in one transaction.
 * Any bad line rejects the whole import (nothing written).
 */
import { inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type GroupSource, hostGroups, hosts } from '../../db/tables/inventory.js';
import { ValidationError } from '../errors.js';
import { ImportError } from '../importers/import-error.js';
import { type InventoryFormat, parseInventory } from '../importers/parse-inventory.js';
import { ensureGroups } from './hosts.js';

export interface ImportSummary {
  created: string[];
  updated: string[];
  groups: string[];
  hostIds: string[];
}

export class ImportLineError extends ValidationError {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(`line ${line}: ${reason}`, 'text');
  }
}

export async function importHosts(db: Db, format: InventoryFormat, text: string): Promise<ImportSummary> {
  let inventory: ReturnType<typeof parseInventory>;
  try {
    inventory = parseInventory(format, text);
  } catch (e) {
    if (e instanceof ImportError) throw new ImportLineError(e.line, e.reason);
    throw e;
  }
  if (inventory.hosts.length === 0) throw new ValidationError('the text names no hosts', 'text');
  return db.transaction(async (tx) => {
    const names = inventory.hosts.map((h) => h.name);
    const existing = await tx.select({ name: hosts.name }).from(hosts).where(inArray(hosts.name, names));
    const known = new Set(existing.map((e) => e.name));
    // One multi-row upsert; labels merge over existing ones, an address given replaces the old one.
    const rows = await tx
      .insert(hosts)
      .values(inventory.hosts.map((h) => ({ name: h.name, address: h.address ?? null, labels: h.labels })))
      .onConflictDoUpdate({
        target: hosts.name,
        set: {
          address: sql`COALESCE(excluded.address, ${hosts.address})`,
          labels: sql`${hosts.labels} || excluded.labels`,
          updatedAt: sql`now()`,
        },
      })
      .returning({ id: hosts.id, name: hosts.name });
    const idOf = new Map(rows.map((r) => [r.name, r.id]));
    const groupNames = [...new Set(inventory.hosts.flatMap((h) => h.groups))];
    const groupIds = await ensureGroups(tx as unknown as Db, groupNames, format as GroupSource);
    const links = inventory.hosts.flatMap((h) => h.groups.map((g) => ({ hostId: idOf.get(h.name)!, groupId: groupIds.get(g)! })));
    for (let i = 0; i < links.length; i += 5000) await tx.insert(hostGroups).values(links.slice(i, i + 5000)).onConflictDoNothing();
    return {
      created: names.filter((n) => !known.has(n)),
      updated: names.filter((n) => known.has(n)),
      groups: groupNames,
      hostIds: rows.map((r) => r.id),
    };
  });
}
