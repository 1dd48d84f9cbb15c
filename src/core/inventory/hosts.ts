/** Host and group CRUD with validation; every write is all-or-nothing in one transaction. */
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type GroupSource, groups, hostGroups, hosts } from '../../db/tables/inventory.js';
import { ConflictError, NotFoundError, ValidationError } from '../errors.js';
import { validateAddress, validateGroupName, validateHostName, validateLabelKey, validateLabelValue } from '../host-names.js';
import type { HostRow } from './select-hosts.js';
import { deleteHostHistory } from '../checks/history.js';

export interface HostInput {
  name: string;
  address?: string | null;
  labels?: Record<string, string> | null;
  groups?: string[] | null;
}

export function validateHostInput(input: HostInput, field = 'input'): void {
  const nameErr = validateHostName(input.name);
  if (nameErr) throw new ValidationError(nameErr, `${field}.name`);
  if (input.address != null) {
    const err = validateAddress(input.address);
    if (err) throw new ValidationError(err, `${field}.address`);
  }
  for (const [k, v] of Object.entries(input.labels ?? {})) {
    const err = validateLabelKey(k) ?? (typeof v === 'string' ? validateLabelValue(v) : `label ${k} must be a string`);
    if (err) throw new ValidationError(err, `${field}.labels`);
  }
  for (const g of input.groups ?? []) {
    const err = validateGroupName(g);
    if (err) throw new ValidationError(err, `${field}.groups`);
  }
}

/** Finds or creates groups by name (static unless a source is given); returns name → id. */
export async function ensureGroups(db: Db, names: string[], source: GroupSource = 'STATIC'): Promise<Map<string, string>> {
  const unique = [...new Set(names)];
  const map = new Map<string, string>();
  if (unique.length === 0) return map;
  await db
    .insert(groups)
    .values(unique.map((name) => ({ name, source })))
    .onConflictDoNothing();
  const rows = await db.select({ id: groups.id, name: groups.name }).from(groups).where(inArray(groups.name, unique));
  for (const r of rows) map.set(r.name, r.id);
  return map;
}

export async function createHosts(db: Db, inputs: HostInput[], groupSource: GroupSource = 'STATIC'): Promise<HostRow[]> {
  for (const [i, h] of inputs.entries()) validateHostInput(h, inputs.length > 1 ? `hosts[${i}]` : 'input');
  const seen = new Set<string>();
  for (const h of inputs) {
    if (seen.has(h.name)) throw new ConflictError(`host ${h.name} appears twice`, 'name');
    seen.add(h.name);
  }
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ name: hosts.name })
      .from(hosts)
      .where(
        inArray(
          hosts.name,
          inputs.map((h) => h.name),
        ),
      );
    if (existing.length) throw new ConflictError(`host ${existing.map((e) => e.name).join(', ')} already exists`, 'name');
    const rows = await tx
      .insert(hosts)
      .values(inputs.map((h) => ({ name: h.name, address: h.address ?? null, labels: h.labels ?? {} })))
      .returning();
    const groupIds = await ensureGroups(tx as unknown as Db, inputs.flatMap((h) => h.groups ?? []), groupSource);
    const links = rows.flatMap((row, i) => (inputs[i]!.groups ?? []).map((g) => ({ hostId: row.id, groupId: groupIds.get(g)! })));
    if (links.length) await tx.insert(hostGroups).values(links).onConflictDoNothing();
    return rows;
  });
}

export interface HostPatch {
  name: string;
  address?: string | null;
  labels?: Record<string, string> | null;
  /** Replaces the host's static group memberships when given. */
  groups?: string[] | null;
}

export async function updateHost(db: Db, patch: HostPatch): Promise<HostRow> {
  const [current] = await db.select().from(hosts).where(eq(hosts.name, patch.name));
  if (!current) throw new NotFoundError(`unknown host: ${patch.name}`, 'input.name');
  validateHostInput({ name: current.name, address: patch.address, labels: patch.labels, groups: patch.groups });
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(hosts)
      .set({
        ...(patch.address !== undefined ? { address: patch.address } : {}),
        ...(patch.labels != null ? { labels: patch.labels } : {}),
        updatedAt: new Date(),
      })
      .where(eq(hosts.id, current.id))
      .returning();
    if (patch.groups != null) {
      const ids = await ensureGroups(tx as unknown as Db, patch.groups);
      // Only static memberships are edited here; synced groups (Slurm, genders) belong to their sync.
      const staticGroupIds = tx.select({ id: groups.id }).from(groups).where(eq(groups.source, 'STATIC'));
      await tx.delete(hostGroups).where(and(eq(hostGroups.hostId, current.id), inArray(hostGroups.groupId, staticGroupIds)));
      if (ids.size) await tx.insert(hostGroups).values([...ids.values()].map((groupId) => ({ hostId: current.id, groupId }))).onConflictDoNothing();
    }
    return row!;
  });
}

export async function deleteHostRows(db: Db, hostIds: string[]): Promise<void> {
  if (!hostIds.length) return;
  await db.transaction(async (tx) => {
    await deleteHostHistory(tx as unknown as Db, hostIds);
    await tx.delete(hosts).where(inArray(hosts.id, hostIds));
  });
}

export async function setHostsEnabledRows(db: Db, hostIds: string[], enabled: boolean, reason: string | null): Promise<void> {
  if (!hostIds.length) return;
  await db
    .update(hosts)
    .set({ enabled, disabledReason: enabled ? null : reason, updatedAt: sql`now()` })
    .where(inArray(hosts.id, hostIds));
}
