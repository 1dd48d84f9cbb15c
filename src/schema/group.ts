/** Groups: static, or synced from genders/pdsh/CSV imports or Slurm partitions. */
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { writeAudit } from '../core/audit.js';
import { ConflictError, NotFoundError, ValidationError } from '../core/errors.js';
import { validateGroupName } from '../core/host-names.js';
import { rollUpHealth } from '../core/health.js';
import { selectHosts } from '../core/inventory/select-hosts.js';
import { GROUP_SOURCES, groups, hostGroups, hosts } from '../db/tables/inventory.js';
import { builder } from './builder.js';
import { INPUT_ERRORS } from './errors.js';
import { Group } from './group-ref.js';
import { Host, HealthEnum } from './host.js';
import { pageByName, pageSize } from './pagination.js';
import { stateFieldsOf } from './state-fields.js';

const GroupSourceEnum = builder.enumType('GroupSource', { values: GROUP_SOURCES });

const HealthCount = builder.objectRef<{ health: string; count: number }>('HealthCount').implement({
  fields: (t) => ({ health: t.field({ type: HealthEnum, resolve: (c) => c.health as never }), count: t.exposeInt('count') }),
});

Group.implement({
  description: 'A set of hosts: a partition, a rack, a role. `@name` selects it wherever hosts are taken.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    source: t.field({ type: GroupSourceEnum, resolve: (g) => g.source }),
    description: t.exposeString('description', { nullable: true }),
    hostCount: t.int({
      resolve: async (g, _a, ctx) => {
        const [row] = await ctx.app.db.select({ n: count() }).from(hostGroups).where(eq(hostGroups.groupId, g.id));
        return Number(row?.n ?? 0);
      },
    }),
    hosts: t.field({
      type: [Host],
      args: { first: t.arg.int({ required: false }) },
      complexity: (args) => ({ field: 1, multiplier: args.first ?? 100 }),
      resolve: async (g, args, ctx) => {
        const rows = await ctx.app.db
          .select({ host: hosts })
          .from(hostGroups)
          .innerJoin(hosts, eq(hosts.id, hostGroups.hostId))
          .where(eq(hostGroups.groupId, g.id))
          .orderBy(asc(hosts.name))
          .limit(pageSize(args.first ?? 100, 1000));
        return rows.map((r) => r.host);
      },
    }),
    healthCounts: t.field({
      type: [HealthCount],
      description: 'How many member hosts are in each health state.',
      resolve: async (g, _a, ctx, info) => {
        const members = await ctx.app.db
          .select({ id: hosts.id, enabled: hosts.enabled })
          .from(hostGroups)
          .innerJoin(hosts, eq(hosts.id, hostGroups.hostId))
          .where(eq(hostGroups.groupId, g.id));
        const states = await ctx.loaders.checksOfHost(stateFieldsOf(info)).loadMany(members.map((m) => m.id));
        const counts = new Map<string, number>();
        members.forEach((m, i) => {
          const s = states[i];
          const h = rollUpHealth(m.enabled, Array.isArray(s) ? s.map((x) => x.status) : []);
          counts.set(h, (counts.get(h) ?? 0) + 1);
        });
        return [...counts].map(([health, n]) => ({ health, count: n }));
      },
    }),
  }),
});

builder.queryFields((t) => ({
  groups: t.connection(
    {
      type: Group,
      authScopes: { authenticated: true },
      resolve: (_root, args, ctx) => pageByName(ctx.app.db, groups, args),
    },
    {},
    {},
  ),
  group: t.field({
    type: Group,
    nullable: true,
    authScopes: { authenticated: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => (await ctx.app.db.select().from(groups).where(eq(groups.name, args.name)))[0] ?? null,
  }),
}));

const GroupPayload = builder.objectRef<{ group: typeof groups.$inferSelect }>('GroupPayload').implement({
  fields: (t) => ({ group: t.field({ type: Group, resolve: (p) => p.group }) }),
});

builder.mutationFields((t) => ({
  createGroup: t.field({
    type: GroupPayload,
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'CreateGroupResult' } },
    args: { name: t.arg.string({ required: true }), description: t.arg.string({ required: false }), hosts: t.arg.stringList({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const err = validateGroupName(args.name);
      if (err) throw new ValidationError(err, 'name');
      const [existing] = await ctx.app.db.select().from(groups).where(eq(groups.name, args.name));
      if (existing) throw new ConflictError(`group ${args.name} already exists`, 'name');
      const members = args.hosts?.length ? await selectHosts(ctx.app.db, args.hosts) : [];
      const group = await ctx.app.db.transaction(async (tx) => {
        const [g] = await tx.insert(groups).values({ name: args.name, description: args.description ?? null }).returning();
        if (members.length) await tx.insert(hostGroups).values(members.map((h) => ({ hostId: h.id, groupId: g!.id })));
        return g!;
      });
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'group.create', targets: members.map((h) => h.name), outcome: 'OK', details: { group: args.name }, requestId: ctx.requestId });
      return { group };
    },
  }),
  setGroupHosts: t.field({
    type: GroupPayload,
    description: 'Adds or removes hosts of a static group.',
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'SetGroupHostsResult' } },
    args: { name: t.arg.string({ required: true }), add: t.arg.stringList({ required: false }), remove: t.arg.stringList({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const [group] = await ctx.app.db.select().from(groups).where(eq(groups.name, args.name));
      if (!group) throw new NotFoundError(`unknown group: ${args.name}`, 'name');
      if (group.source !== 'STATIC') throw new ValidationError(`group ${args.name} is synced from ${group.source}; edit it there`, 'name');
      const add = args.add?.length ? await selectHosts(ctx.app.db, args.add, 'add') : [];
      const remove = args.remove?.length ? await selectHosts(ctx.app.db, args.remove, 'remove') : [];
      await ctx.app.db.transaction(async (tx) => {
        if (add.length) await tx.insert(hostGroups).values(add.map((h) => ({ hostId: h.id, groupId: group.id }))).onConflictDoNothing();
        if (remove.length)
          await tx.delete(hostGroups).where(
            and(
              eq(hostGroups.groupId, group.id),
              inArray(
                hostGroups.hostId,
                remove.map((h) => h.id),
              ),
            ),
          );
      });
      await writeAudit(ctx.app.db, ctx.app.pubsub, {
        principal: ctx.principal,
        action: 'group.members',
        targets: [...add, ...remove].map((h) => h.name),
        outcome: 'OK',
        details: { group: args.name, added: add.map((h) => h.name), removed: remove.map((h) => h.name) },
        requestId: ctx.requestId,
      });
      return { group };
    },
  }),
  deleteGroup: t.field({
    type: 'Boolean',
    authScopes: { admin: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const deleted = await ctx.app.db.delete(groups).where(eq(groups.name, args.name)).returning();
      if (deleted.length) await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'group.delete', outcome: 'OK', details: { group: args.name }, requestId: ctx.requestId });
      return deleted.length > 0;
    },
  }),
}));

