/**
 * Per-request batch loaders shared by schema types: one SQL statement per batch whatever the page
 * size, and `Host.checks` and `Host.health` share one batch.
 */
import DataLoader from 'dataloader';
import { desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { type CheckStateRow, readStates, type StateField } from '../core/checks/read-states.js';
import type { Database } from '../db/client.js';
import { checkDefinitions, checkState } from '../db/tables/checks.js';
import { groups, hostGroups } from '../db/tables/inventory.js';
import { agents, projectPlacements } from '../db/tables/work.js';

export type { CheckStateRow };

export type GroupRow = typeof groups.$inferSelect;

/** Placements listed per project (Project.placements). */
export const PLACEMENTS_SHOWN = 20;

function groupBy<T>(ids: readonly string[], rows: T[], key: (r: T) => string): T[][] {
  const by = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = by.get(k);
    if (list) list.push(r);
    else by.set(k, [r]);
  }
  return ids.map((id) => by.get(id) ?? []);
}

export function createLoaders(database: Pick<Database, 'db' | 'kind'>) {
  const { db } = database;
  let checksOfHost: DataLoader<string, CheckStateRow[]> | undefined;
  return {
    groupsOfHost: new DataLoader<string, GroupRow[]>(
      async (hostIds) => {
        const rows = await db
          .select({ hostId: hostGroups.hostId, group: groups })
          .from(hostGroups)
          .innerJoin(groups, eq(groups.id, hostGroups.groupId))
          .where(inArray(hostGroups.hostId, [...hostIds]))
          .orderBy(groups.name);
        return groupBy(hostIds, rows, (r) => r.hostId).map((list) => list.map((r) => r.group));
      },
      { maxBatchSize: 10_000 },
    ),
    checkDefinition: new DataLoader<string, typeof checkDefinitions.$inferSelect>(async (ids) => {
      const rows = await db.select().from(checkDefinitions).where(inArray(checkDefinitions.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? new Error(`check ${id} not found`));
    }),
    agent: new DataLoader<string, typeof agents.$inferSelect>(async (ids) => {
      const rows = await db.select().from(agents).where(inArray(agents.id, [...ids]));
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? new Error(`agent ${id} not found`));
    }),
    /** The newest PLACEMENTS_SHOWN placements of each project, newest first, for a page of projects in one statement. */
    placementsOfProject: new DataLoader<string, (typeof projectPlacements.$inferSelect)[]>(async (projectIds) => {
      const ranked = db
        .select({ id: projectPlacements.id, rank: sql<number>`row_number() OVER (PARTITION BY ${projectPlacements.projectId} ORDER BY ${projectPlacements.placedAt} DESC)`.as('rank') })
        .from(projectPlacements)
        .where(inArray(projectPlacements.projectId, [...projectIds]))
        .as('ranked');
      const rows = await db
        .select({ placement: projectPlacements })
        .from(projectPlacements)
        .innerJoin(ranked, eq(ranked.id, projectPlacements.id))
        .where(lte(ranked.rank, PLACEMENTS_SHOWN))
        .orderBy(desc(projectPlacements.placedAt));
      return groupBy(projectIds, rows.map((r) => r.placement), (p) => p.projectId);
    }),
    agentOfHost: new DataLoader<string, typeof agents.$inferSelect | null>(async (hostIds) => {
      const rows = await db.select().from(agents).where(inArray(agents.hostId, [...hostIds]));
      const byHost = new Map(rows.map((r) => [r.hostId, r]));
      return hostIds.map((id) => byHost.get(id) ?? null);
    }),
    /**
     * States of hosts, by kind, with the columns the operation reads (stateFieldsOf). One operation
     * per context, so one loader: Host.checks and Host.health share its batch.
     */
    checksOfHost(fields: ReadonlySet<StateField>): DataLoader<string, CheckStateRow[]> {
      checksOfHost ??= new DataLoader<string, CheckStateRow[]>(
        async (hostIds) => groupBy(hostIds, await readStates(db, inArray(checkState.hostId, [...hostIds]), fields, database.kind === 'pglite'), (r) => r.hostId),
        { maxBatchSize: 10_000 },
      );
      return checksOfHost;
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
