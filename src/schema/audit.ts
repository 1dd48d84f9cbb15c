/** The audit log: query with filters, and a live subscription. */
import { and, desc, eq, gte, inArray, lt, lte, sql, type SQL } from 'drizzle-orm';
import { AUDIT_OUTCOMES, auditEvents } from '../db/tables/audit.js';
import { builder } from './builder.js';
import { AuditEventRef } from './audit-ref.js';
import { decodeCursor, keysetConnection, pageSize } from './pagination.js';
import { SUSPECT_SWEEP_ACTION } from '../core/checks/suspect-sweep.js';
import { ValidationError } from '../core/errors.js';
import { Host } from './host.js';

const AuditOutcomeEnum = builder.enumType('AuditOutcome', { values: AUDIT_OUTCOMES });

AuditEventRef.implement({
  description: 'One append-only record: who did what to which hosts, why, and how it ended.',
  fields: (t) => ({
    id: t.id({ resolve: (e) => String(e.id) }),
    at: t.expose('at', { type: 'DateTime' }),
    actor: t.exposeString('actor'),
    action: t.exposeString('action'),
    targets: t.exposeStringList('targets'),
    reason: t.exposeString('reason', { nullable: true }),
    outcome: t.field({ type: AuditOutcomeEnum, resolve: (e) => e.outcome }),
    details: t.field({ type: 'JSON', nullable: true, resolve: (e) => e.details }),
    requestId: t.exposeString('requestId', { nullable: true }),
  }),
});

const AuditFilter = builder.inputType('AuditFilter', {
  fields: (t) => ({
    actor: t.string({ required: false }),
    action: t.string({ required: false, description: 'Exact action, or a prefix ending in "." (e.g. "host.")' }),
    host: t.string({ required: false, description: 'Events that targeted this host' }),
    outcome: t.field({ type: [AuditOutcomeEnum], required: false }),
    since: t.field({ type: 'DateTime', required: false }),
    until: t.field({ type: 'DateTime', required: false }),
  }),
});

builder.queryFields((t) => ({
  auditEvents: t.connection(
    {
      type: AuditEventRef,
      authScopes: { authenticated: true },
      args: { filter: t.arg({ type: AuditFilter, required: false }) },
      resolve: async (_root, args, ctx) => {
        const limit = pageSize(args.first);
        const f = args.filter;
        const where: SQL[] = [];
        if (f?.actor) where.push(eq(auditEvents.actor, f.actor));
        if (f?.action) where.push(f.action.endsWith('.') ? sql`${auditEvents.action} LIKE ${`${f.action.replace(/[\\%_]/g, (c) => `\\${c}`)}%`}` : eq(auditEvents.action, f.action));
        if (f?.host) where.push(sql`${auditEvents.targets} @> ${JSON.stringify([f.host])}::text::jsonb`);
        if (f?.outcome?.length) where.push(inArray(auditEvents.outcome, f.outcome));
        if (f?.since) where.push(gte(auditEvents.at, f.since));
        if (f?.until) where.push(lte(auditEvents.at, f.until));
        const after = decodeCursor(args.after);
        if (after !== null) {
          if (!/^\d+$/.test(after)) throw new ValidationError('invalid cursor', 'after');
          where.push(lt(auditEvents.id, Number(after)));
        }
        const rows = await ctx.app.db
          .select()
          .from(auditEvents)
          .where(where.length ? and(...where) : undefined)
          .orderBy(desc(auditEvents.id))
          .limit(limit + 1);
        return keysetConnection(rows, limit, after, (r) => r.id);
      },
    },
    {},
    {},
  ),
}));

builder.objectField(Host, 'auditEvents', (t) =>
  t.field({
    type: [AuditEventRef],
    description: 'This host’s repair history: every action, refusal and outcome that named it, newest first.',
    args: { first: t.arg.int({ required: false }) },
    complexity: (args) => ({ field: 1, multiplier: args.first ?? 20 }),
    resolve: (h, args, ctx) =>
      ctx.app.db
        .select()
        .from(auditEvents)
        .where(sql`${auditEvents.targets} @> ${JSON.stringify([h.name])}::text::jsonb`)
        .orderBy(desc(auditEvents.id))
        .limit(pageSize(args.first ?? 20)),
  }),
);

const MonitorAlert = builder.objectRef<typeof auditEvents.$inferSelect>('MonitorAlert').implement({
  description: 'Corral doubts its own monitoring: most hosts failed one check in one sweep.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime' }),
    check: t.string({ resolve: (e) => String(e.details?.check ?? '') }),
    kind: t.string({ resolve: (e) => String(e.details?.kind ?? '') }),
    failing: t.int({ resolve: (e) => Number(e.details?.failing ?? 0) }),
    total: t.int({ resolve: (e) => Number(e.details?.total ?? 0) }),
    message: t.string({
      resolve: (e) => `${e.details?.failing} of ${e.details?.total} hosts failed check ${e.details?.check} at once: the monitor itself is suspect; no host was marked bad`,
    }),
  }),
});

builder.queryField('monitorAlerts', (t) =>
  t.field({
    type: [MonitorAlert],
    description: 'Suspect-monitor alerts of the last hour (newest first).',
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) =>
      ctx.app.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.action, SUSPECT_SWEEP_ACTION), gte(auditEvents.at, new Date(Date.now() - 3600_000))))
        .orderBy(desc(auditEvents.id))
        .limit(20),
  }),
);

builder.subscriptionFields((t) => ({
  auditEvent: t.field({
    type: AuditEventRef,
    description: 'Every new audit event, as it is written (any server replica).',
    authScopes: { user: true },
    subscribe: (_root, _args, ctx) => ctx.app.pubsub.subscribe('auditEvent', ctx.signal),
    resolve: async (event, _args, ctx) => {
      const [row] = await ctx.app.db.select().from(auditEvents).where(eq(auditEvents.id, event.id));
      return row!;
    },
  }),
}));
