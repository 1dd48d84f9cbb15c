/** The health picture: runChecks, the hosts × checks status matrix, history, live state changes. */
import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import { authorizeHosts } from '../core/actions/authorize-hosts.js';
import { writeAudit } from '../core/audit.js';
import { readStates } from '../core/checks/read-states.js';
import { hostOfEvent, stateOfEvent } from '../core/checks/state-event.js';
import { rollUpHealth } from '../core/health.js';
import { selectHosts } from '../core/inventory/select-hosts.js';
import { naturalCompare } from '../core/natural-order.js';
import type { Topics } from '../core/pubsub.js';
import { checkResults, checkState } from '../db/tables/checks.js';
import { groups, hostGroups, hosts } from '../db/tables/inventory.js';
import { schedulerOf } from '../engines.js';
import { builder } from './builder.js';
import { CheckStatusEnum } from './check-state.js';
import { CheckStateRef, type CheckStateShape } from './check-state-ref.js';
import { HealthEnum, Host, type HostShape } from './host.js';
import { filtered, groupFilter } from './host-events.js';
import { createLoaders } from './loaders.js';
import { pageSize } from './pagination.js';
import { stateFieldsOf } from './state-fields.js';

const CheckResultRef = builder.objectRef<typeof checkResults.$inferSelect>('CheckResult').implement({
  fields: (t) => ({
    kind: t.exposeString('kind'),
    status: t.field({ type: CheckStatusEnum, resolve: (r) => r.status }),
    summary: t.exposeString('summary'),
    metrics: t.field({ type: 'JSON', nullable: true, resolve: (r) => r.metrics }),
    observedAt: t.expose('observedAt', { type: 'DateTime' }),
    durationMs: t.exposeFloat('durationMs'),
  }),
});

builder.objectField(CheckStateRef, 'host', (t) => t.field({ type: Host, resolve: (s, _a, ctx) => Host.getDataloader(ctx).load(s.hostId) as Promise<HostShape> }));

builder.objectField(Host, 'checkHistory', (t) =>
  t.field({
    type: [CheckResultRef],
    description: 'Raw results of one check kind, newest first.',
    args: { kind: t.arg.string({ required: true }), since: t.arg({ type: 'DateTime', required: false }), first: t.arg.int({ required: false }) },
    complexity: (args) => ({ field: 1, multiplier: args.first ?? 50 }),
    resolve: (h, args, ctx) =>
      ctx.app.db
        .select()
        .from(checkResults)
        .where(and(eq(checkResults.hostId, h.id), eq(checkResults.kind, args.kind), args.since ? gte(checkResults.observedAt, args.since) : undefined))
        .orderBy(desc(checkResults.observedAt))
        .limit(pageSize(args.first, 1000)),
  }),
);

interface StatusRow {
  host: HostShape;
  cells: (CheckStateShape | null)[];
}

const StatusRowRef = builder.objectRef<StatusRow>('StatusRow').implement({
  fields: (t) => ({
    host: t.field({ type: Host, resolve: (r) => r.host }),
    health: t.field({ type: HealthEnum, resolve: (r) => rollUpHealth(r.host.enabled, r.cells.flatMap((c) => (c ? [c.status] : []))) }),
    cells: t.field({ type: [CheckStateRef], nullable: { list: false, items: true }, description: 'Aligned with StatusMatrix.kinds; null where the host has no state for that kind', resolve: (r) => r.cells }),
  }),
});

const StatusMatrixRef = builder.objectRef<{ kinds: string[]; rows: StatusRow[] }>('StatusMatrix').implement({
  fields: (t) => ({
    kinds: t.exposeStringList('kinds'),
    rows: t.field({ type: [StatusRowRef], resolve: (m) => m.rows }),
  }),
});

builder.queryField('status', (t) =>
  t.field({
    type: StatusMatrixRef,
    description: 'Every host × the latest state of each check kind, in one call (two SQL statements).',
    authScopes: { authenticated: true },
    // One fixed cost: this is the fleet table, served by two statements whatever the fleet size.
    complexity: { field: 50, multiplier: 1 },
    args: { groups: t.arg.stringList({ required: false }), checks: t.arg.stringList({ required: false }) },
    resolve: async (_root, args, ctx, info) => {
      const groupWhere = args.groups?.length
        ? inArray(
            hosts.id,
            ctx.app.db
              .select({ id: hostGroups.hostId })
              .from(hostGroups)
              .innerJoin(groups, eq(groups.id, hostGroups.groupId))
              .where(inArray(groups.name, args.groups)),
          )
        : undefined;
      const hostRows = await ctx.app.db.select().from(hosts).where(groupWhere).orderBy(asc(hosts.name));
      const states = await readStates(
        ctx.app.db,
        and(args.checks?.length ? inArray(checkState.kind, args.checks) : undefined, groupWhere ? inArray(checkState.hostId, sql`(SELECT id FROM hosts WHERE ${groupWhere})`) : undefined) ?? sql`true`,
        stateFieldsOf(info),
        ctx.app.database.kind === 'pglite',
      );
      const kinds = args.checks?.length ? [...args.checks] : [...new Set(states.map((s) => s.kind))].sort();
      const byHost = new Map<string, Map<string, CheckStateShape>>();
      const rank = { OK: 0, UNKNOWN: 1, WARN: 2, CRIT: 3 } as const;
      for (const s of states) {
        let m = byHost.get(s.hostId);
        if (!m) byHost.set(s.hostId, (m = new Map()));
        // Two checks of one kind on a host: the cell shows the worse one.
        const prior = m.get(s.kind);
        if (!prior || rank[s.status] > rank[prior.status]) m.set(s.kind, s);
      }
      hostRows.sort((a, b) => naturalCompare(a.name, b.name));
      return { kinds, rows: hostRows.map((host) => ({ host, cells: kinds.map((k) => byHost.get(host.id)?.get(k) ?? null) })) };
    },
  }),
);

const CheckRunOutcome = builder
  .objectRef<{ host: string; kind: string; check: string; status: CheckStateShape['status']; summary: string; metrics?: Record<string, number>; durationMs: number }>('CheckRunOutcome')
  .implement({
    fields: (t) => ({
      host: t.exposeString('host'),
      kind: t.exposeString('kind'),
      check: t.exposeString('check'),
      status: t.field({ type: CheckStatusEnum, resolve: (o) => o.status }),
      summary: t.exposeString('summary'),
      metrics: t.field({ type: 'JSON', nullable: true, resolve: (o) => o.metrics ?? null }),
      durationMs: t.exposeFloat('durationMs'),
    }),
  });

builder.mutationField('runChecks', (t) =>
  t.field({
    type: [CheckRunOutcome],
    description: 'Runs the matching checks on these hosts now and returns the outcomes (also recorded as results).',
    authScopes: { operator: true },
    args: { hosts: t.arg.stringList({ required: true }), kinds: t.arg.stringList({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const targets = await selectHosts(ctx.app.db, args.hosts);
      await authorizeHosts(ctx.app.db, ctx.app.pubsub, ctx.principal, 'OPERATOR', targets, { action: 'checks.run', requestId: ctx.requestId });
      const outcomes = await schedulerOf(ctx.app.engines).runNow(targets, args.kinds?.length ? [...args.kinds] : null);
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'checks.run', targets: targets.map((h) => h.name), outcome: 'OK', details: { kinds: args.kinds ?? null, results: outcomes.length }, requestId: ctx.requestId });
      return outcomes;
    },
  }),
);

builder.subscriptionField('checkStateChanged', (t) =>
  t.field({
    type: CheckStateRef,
    description: 'Fires when a check’s reported state changes (not on every identical result).',
    authScopes: { user: true },
    args: { groups: t.arg.stringList({ required: false }), kinds: t.arg.stringList({ required: false }) },
    subscribe: async (_root, args, ctx) => {
      const kinds = args.kinds?.length ? new Set(args.kinds) : null;
      return filtered<Topics['checkStateChanged']>(ctx.app.pubsub.subscribe('checkStateChanged', ctx.signal), await groupFilter(ctx, args.groups), (e) => !kinds || kinds.has(e.kind));
    },
    resolve: async (event, _args, ctx) => {
      // One context serves every event of a subscription: fresh loaders, or Host.health and
      // Host.checks would show what the first event cached (the Host loader included).
      ctx.loaders = createLoaders(ctx.app.database);
      const hostLoader = Host.getDataloader(ctx);
      hostLoader.clearAll();
      // The event carries the state and host as written: no read per event, which is what the
      // fan-out to many subscribers waits on. Left out when too big: read them as before.
      const host = hostOfEvent(event);
      if (host) hostLoader.prime(host.id, host);
      const carried = stateOfEvent(event);
      if (carried) return carried;
      const [row] = await ctx.app.db
        .select()
        .from(checkState)
        .where(and(eq(checkState.hostId, event.hostId), eq(checkState.checkId, event.checkId)));
      if (!row) throw new Error('check state no longer exists');
      return row;
    },
  }),
);
