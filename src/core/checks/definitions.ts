/** Check definitions: a kind + params + target + interval + timeout, validated against the registry. */
import { isDeepStrictEqual } from 'node:util';
import { and, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { type CheckTarget, checkDefinitions, checkState } from '../../db/tables/checks.js';
import { hasGlobalRole, type Principal } from '../auth/principal.js';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js';
import { parseHostArgsOrThrow } from '../inventory/select-hosts.js';
import { deleteCheckHistory } from './history.js';
import type { PluginRegistry } from '../plugin-registry.js';

export type CheckDefinitionRow = typeof checkDefinitions.$inferSelect;

export interface CheckDefinitionInput {
  name: string;
  kind: string;
  params?: unknown;
  /** Host arguments (names, ranges, @groups); absent or empty with all=false means nothing. */
  hosts?: string[] | null;
  all?: boolean | null;
  intervalS?: number | null;
  timeoutS?: number | null;
  failThreshold?: number | null;
  okThreshold?: number | null;
  enabled?: boolean | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function validate(registry: PluginRegistry, principal: Principal, input: CheckDefinitionInput) {
  if (!NAME.test(input.name)) throw new ValidationError('check name must be 1-64 letters, digits, . _ - (starting with a letter or digit)', 'name');
  const kind = registry.checkKinds.get(input.kind);
  if (!kind) throw new ValidationError(`unknown check kind ${input.kind}; known: ${[...registry.checkKinds.keys()].join(', ')}`, 'kind');
  if (kind.kind.adminOnly && !hasGlobalRole(principal, 'ADMIN')) throw new ForbiddenError(`only admins may define ${input.kind} checks`);
  const parsed = kind.kind.params.safeParse(input.params ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`invalid params for ${input.kind}: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, 'params');
  }
  const intervalS = input.intervalS ?? kind.kind.defaults.intervalS;
  const timeoutS = input.timeoutS ?? kind.kind.defaults.timeoutS;
  if (!Number.isInteger(intervalS) || intervalS < 1 || intervalS > 86_400) throw new ValidationError('intervalS must be 1..86400', 'intervalS');
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 3600) throw new ValidationError('timeoutS must be 1..3600', 'timeoutS');
  const failThreshold = input.failThreshold ?? 3;
  const okThreshold = input.okThreshold ?? 2;
  if (failThreshold < 1 || failThreshold > 100) throw new ValidationError('failThreshold must be 1..100', 'failThreshold');
  if (okThreshold < 1 || okThreshold > 100) throw new ValidationError('okThreshold must be 1..100', 'okThreshold');
  const target: CheckTarget = input.all || !input.hosts?.length ? { all: true } : targetOf(input.hosts);
  return { params: parsed.data as Record<string, unknown>, intervalS, timeoutS, failThreshold, okThreshold, target };
}

function targetOf(hostArgs: string[]): CheckTarget {
  const parsed = parseHostArgsOrThrow(hostArgs);
  return { hosts: parsed.names, groups: parsed.groups };
}

export async function createCheckDefinition(db: Db, registry: PluginRegistry, principal: Principal, input: CheckDefinitionInput): Promise<CheckDefinitionRow> {
  const v = validate(registry, principal, input);
  const [existing] = await db.select({ id: checkDefinitions.id }).from(checkDefinitions).where(eq(checkDefinitions.name, input.name));
  if (existing) throw new ConflictError(`a check named ${input.name} already exists`, 'name');
  const [row] = await db
    .insert(checkDefinitions)
    .values({ name: input.name, kind: input.kind, enabled: input.enabled ?? true, ...v })
    .returning();
  return row!;
}

export async function updateCheckDefinition(db: Db, registry: PluginRegistry, principal: Principal, name: string, patch: Partial<CheckDefinitionInput>): Promise<CheckDefinitionRow> {
  const [current] = await db.select().from(checkDefinitions).where(eq(checkDefinitions.name, name));
  if (!current) throw new NotFoundError(`unknown check: ${name}`, 'name');
  const merged: CheckDefinitionInput = {
    name,
    kind: current.kind,
    params: patch.params ?? current.params,
    hosts: patch.hosts !== undefined ? patch.hosts : current.target.all ? null : [...(current.target.hosts ?? []), ...(current.target.groups ?? []).map((g) => `@${g}`)],
    all: patch.all ?? (patch.hosts ? false : current.target.all),
    intervalS: patch.intervalS ?? current.intervalS,
    timeoutS: patch.timeoutS ?? current.timeoutS,
    failThreshold: patch.failThreshold ?? current.failThreshold,
    okThreshold: patch.okThreshold ?? current.okThreshold,
  };
  const v = validate(registry, principal, merged);
  // New params or a new interval take effect at once: the check runs with them on the next tick
  // rather than when the old interval is up (an hour later, for a check that ran hourly).
  const rerun = !isDeepStrictEqual(v.params, current.params) || v.intervalS !== current.intervalS;
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(checkDefinitions)
      .set({ ...v, enabled: patch.enabled ?? current.enabled, updatedAt: new Date() })
      .where(eq(checkDefinitions.id, current.id))
      .returning();
    if (rerun) await tx.update(checkState).set({ nextDueAt: sql`now()` }).where(and(eq(checkState.checkId, current.id), gt(checkState.nextDueAt, sql`now()`)));
    return row!;
  });
}

/** Deletes a check with its states (cascade) and its history; false when there is no such check. */
export async function deleteCheckDefinition(db: Db, name: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const deleted = await tx.delete(checkDefinitions).where(eq(checkDefinitions.name, name)).returning({ id: checkDefinitions.id });
    await deleteCheckHistory(tx as unknown as Db, deleted.map((d) => d.id));
    return deleted.length > 0;
  });
}
