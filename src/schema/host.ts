/** Host: the node type, the hosts connection, and inventory mutations. */
import { and, asc, eq, exists, gt, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import { writeAudit } from '../core/audit.js';
import { authorizeHosts } from '../core/actions/authorize-hosts.js';
import { ValidationError } from '../core/errors.js';
import { HEALTHS, healthSql, rollUpHealth } from '../core/health.js';
import { createHosts, deleteHostRows, setHostsEnabledRows, updateHost } from '../core/inventory/hosts.js';
import { publishHostsUpdated } from '../core/inventory/events.js';
import { selectHosts } from '../core/inventory/select-hosts.js';
import { groups, hostGroups, hosts } from '../db/tables/inventory.js';
import { builder } from './builder.js';
import { BulkResult, bulkOk } from './bulk.js';
import type { Context } from './context.js';
import { INPUT_ERRORS } from './errors.js';
import { DEFAULT_PAGE, MAX_HOSTS_PAGE } from './limits.js';
import { decodeCursor, keysetConnection, pageSize } from './pagination.js';
import { Group } from './group-ref.js';
import { CheckStateRef } from './check-state-ref.js';
import { stateFieldsOf } from './state-fields.js';

export type HostShape = typeof hosts.$inferSelect;

export const HealthEnum = builder.enumType('Health', { values: HEALTHS });

export const Host = builder.loadableNodeRef('Host', {
  id: { resolve: (h: HostShape) => h.id },
  load: async (ids: string[], ctx: Context) => {
    const rows = await ctx.app.db.select().from(hosts).where(inArray(hosts.id, ids));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id) ?? new Error(`host ${id} not found`));
  },
});

Host.implement({
  description: 'A machine Corral knows: a compute node, a render box, a Raspberry Pi.',
  fields: (t) => ({
    name: t.exposeString('name'),
    address: t.exposeString('address', { nullable: true }),
    enabled: t.exposeBoolean('enabled', { description: 'False while the host is in maintenance: it keeps its history but runs no checks and gets no work.' }),
    disabledReason: t.exposeString('disabledReason', { nullable: true }),
    labels: t.field({ type: 'JSON', resolve: (h) => h.labels }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    groups: t.field({ type: [Group], resolve: (h, _a, ctx) => ctx.loaders.groupsOfHost.load(h.id) }),
    checks: t.field({ type: [CheckStateRef], resolve: (h, _a, ctx, info) => ctx.loaders.checksOfHost(stateFieldsOf(info)).load(h.id) }),
    health: t.field({
      type: HealthEnum,
      description: 'The worst of its checks (DISABLED in maintenance, UNKNOWN without checks).',
      resolve: async (h, _a, ctx, info) =>
        rollUpHealth(
          h.enabled,
          (await ctx.loaders.checksOfHost(stateFieldsOf(info)).load(h.id)).map((s) => s.status),
        ),
    }),
  }),
});

const HostFilter = builder.inputType('HostFilter', {
  fields: (t) => ({
    hosts: t.stringList({ required: false, description: 'Host arguments (names, ranges node[01-04], @groups), expanded on the server; an unknown name is an error' }),
    groups: t.stringList({ required: false, description: 'Hosts in any of these groups' }),
    health: t.field({ type: [HealthEnum], required: false }),
    search: t.string({ required: false, description: 'Substring of the name or address' }),
    enabled: t.boolean({ required: false }),
  }),
});

builder.queryFields((t) => ({
  hosts: t.connection(
    {
      type: Host,
      authScopes: { authenticated: true },
      args: { filter: t.arg({ type: HostFilter, required: false }) },
      complexity: (args) => ({ field: 1, multiplier: Math.min(args.first ?? DEFAULT_PAGE, MAX_HOSTS_PAGE) }),
      resolve: async (_root, args, ctx) => {
        const limit = pageSize(args.first, MAX_HOSTS_PAGE);
        const where: SQL[] = [];
        const f = args.filter;
        if (f?.enabled != null) where.push(eq(hosts.enabled, f.enabled));
        if (f?.hosts?.length) {
          const selected = await selectHosts(ctx.app.db, [...f.hosts], 'filter.hosts');
          where.push(
            inArray(
              hosts.id,
              selected.map((h) => h.id),
            ),
          );
        }
        if (f?.search) {
          const pattern = `%${f.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          where.push(or(ilike(hosts.name, pattern), ilike(hosts.address, pattern))!);
        }
        if (f?.groups?.length) {
          where.push(
            exists(
              ctx.app.db
                .select({ one: sql`1` })
                .from(hostGroups)
                .innerJoin(groups, eq(groups.id, hostGroups.groupId))
                .where(and(eq(hostGroups.hostId, hosts.id), inArray(groups.name, f.groups))),
            ),
          );
        }
        if (f?.health?.length) where.push(inArray(healthSql, f.health));
        const after = decodeCursor(args.after);
        if (after !== null) where.push(gt(hosts.name, after));
        const rows = await ctx.app.db
          .select()
          .from(hosts)
          .where(where.length ? and(...where) : undefined)
          .orderBy(asc(hosts.name))
          .limit(limit + 1);
        return keysetConnection(rows, limit, after, (r) => r.name);
      },
    },
    {},
    {},
  ),
  host: t.field({
    type: Host,
    nullable: true,
    authScopes: { authenticated: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const [row] = await ctx.app.db.select().from(hosts).where(eq(hosts.name, args.name));
      return row ?? null;
    },
  }),
}));

const CreateHostInput = builder.inputType('CreateHostInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    address: t.string({ required: false }),
    labels: t.field({ type: 'JSON', required: false }),
    groups: t.stringList({ required: false }),
  }),
});

const UpdateHostInput = builder.inputType('UpdateHostInput', {
  fields: (t) => ({
    name: t.string({ required: true, description: 'The host to change' }),
    address: t.string({ required: false }),
    labels: t.field({ type: 'JSON', required: false }),
    groups: t.stringList({ required: false, description: 'Replaces the static group memberships' }),
  }),
});

const HostPayload = builder.objectRef<{ host: HostShape }>('HostPayload').implement({
  fields: (t) => ({ host: t.field({ type: Host, resolve: (p) => p.host }) }),
});

function labelsOf(v: unknown): Record<string, string> | null {
  if (v == null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) throw new ValidationError('labels must be an object of strings', 'labels');
  return v as Record<string, string>;
}

builder.mutationFields((t) => ({
  createHost: t.field({
    type: HostPayload,
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'CreateHostResult' } },
    args: { input: t.arg({ type: CreateHostInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const [host] = await createHosts(ctx.app.db, [{ name: input.name, address: input.address, labels: labelsOf(input.labels), groups: input.groups }]);
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'host.create', targets: [host!.name], outcome: 'OK', requestId: ctx.requestId });
      await publishHostsUpdated(ctx.app.db, ctx.app.pubsub, [host!.id]);
      return { host: host! };
    },
  }),
  updateHost: t.field({
    type: HostPayload,
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'UpdateHostResult' } },
    args: { input: t.arg({ type: UpdateHostInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const host = await updateHost(ctx.app.db, { name: input.name, address: input.address, labels: labelsOf(input.labels), groups: input.groups });
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'host.update', targets: [host.name], outcome: 'OK', details: { input }, requestId: ctx.requestId });
      await publishHostsUpdated(ctx.app.db, ctx.app.pubsub, [host.id]);
      return { host };
    },
  }),
  deleteHosts: t.field({
    type: BulkResult,
    authScopes: { admin: true },
    args: { hosts: t.arg.stringList({ required: true }), reason: t.arg.string({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const targets = await selectHosts(ctx.app.db, args.hosts);
      await deleteHostRows(
        ctx.app.db,
        targets.map((h) => h.id),
      );
      const event = await writeAudit(ctx.app.db, ctx.app.pubsub, {
        principal: ctx.principal,
        action: 'host.delete',
        targets: targets.map((h) => h.name),
        reason: args.reason,
        outcome: 'OK',
        requestId: ctx.requestId,
      });
      return bulkOk(targets, 'deleted', event);
    },
  }),
  setHostsEnabled: t.field({
    type: BulkResult,
    description: 'Maintenance: a disabled host keeps its history but runs no checks and gets no work. Operators need the grant on every host.',
    authScopes: { operator: true },
    args: { hosts: t.arg.stringList({ required: true }), enabled: t.arg.boolean({ required: true }), reason: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      if (!args.reason.trim()) throw new ValidationError('a reason is required', 'reason');
      const targets = await selectHosts(ctx.app.db, args.hosts);
      const action = args.enabled ? 'host.enable' : 'host.disable';
      await authorizeHosts(ctx.app.db, ctx.app.pubsub, ctx.principal, 'OPERATOR', targets, { action, reason: args.reason, requestId: ctx.requestId });
      await setHostsEnabledRows(
        ctx.app.db,
        targets.map((h) => h.id),
        args.enabled,
        args.reason,
      );
      const event = await writeAudit(ctx.app.db, ctx.app.pubsub, {
        principal: ctx.principal,
        action,
        targets: targets.map((h) => h.name),
        reason: args.reason,
        outcome: 'OK',
        requestId: ctx.requestId,
      });
      await publishHostsUpdated(
        ctx.app.db,
        ctx.app.pubsub,
        targets.map((h) => h.id),
      );
      return bulkOk(targets, args.enabled ? 'enabled' : 'disabled (maintenance)', event);
    },
  }),
}));
