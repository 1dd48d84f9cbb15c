/**
 * Agents, projects, jobs and tasks: the read side of the data model, so clients can already list
 * them. Registration, placement, leasing and their mutations come with the agent and render issues.
 */
import { asc, desc, eq, lt } from 'drizzle-orm';
import { ValidationError } from '../core/errors.js';
import { agents, jobs, type projectPlacements, projects, tasks } from '../db/tables/work.js';
import { builder } from './builder.js';
import { Host } from './host.js';
import { PLACEMENTS_SHOWN } from './loaders.js';
import { decodeCursor, keysetConnection, pageByName, pageSize } from './pagination.js';

type AgentShape = typeof agents.$inferSelect;
type ProjectShape = typeof projects.$inferSelect;
type JobShape = typeof jobs.$inferSelect;
type TaskShape = typeof tasks.$inferSelect;

export const Agent = builder.objectRef<AgentShape>('Agent').implement({
  description: 'A registered node agent (`corral agent`).',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    status: t.exposeString('status', { description: 'ONLINE or OFFLINE (past the heartbeat timeout)' }),
    version: t.exposeString('version', { nullable: true }),
    capabilities: t.exposeStringList('capabilities'),
    resources: t.field({ type: 'JSON', resolve: (a) => a.resources }),
    lastSeenAt: t.expose('lastSeenAt', { type: 'DateTime', nullable: true }),
    registeredAt: t.expose('registeredAt', { type: 'DateTime' }),
    host: t.field({ type: Host, nullable: true, resolve: async (a, _x, ctx) => (a.hostId ? ((await Host.getDataloader(ctx).load(a.hostId)) as never) : null) }),
  }),
});

const Placement = builder.objectRef<typeof projectPlacements.$inferSelect>('ProjectPlacement').implement({
  fields: (t) => ({
    state: t.exposeString('state'),
    detail: t.exposeString('detail', { nullable: true }),
    placedAt: t.expose('placedAt', { type: 'DateTime' }),
    reportedAt: t.expose('reportedAt', { type: 'DateTime', nullable: true }),
    agent: t.field({ type: Agent, resolve: (p, _a, ctx) => ctx.loaders.agent.load(p.agentId) }),
  }),
});

export const Project = builder.objectRef<ProjectShape>('Project').implement({
  description: 'A long-running git project kept alive on whichever node fits.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    gitUrl: t.exposeString('gitUrl'),
    ref: t.exposeString('ref'),
    command: t.exposeStringList('command'),
    needs: t.field({ type: 'JSON', resolve: (p) => p.needs }),
    desiredState: t.exposeString('desiredState'),
    variableNames: t.stringList({ description: 'Names of the persistent variables (values are not shown)', resolve: (p) => Object.keys(p.variables) }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    placements: t.field({
      type: [Placement],
      description: `The newest ${PLACEMENTS_SHOWN}, newest first`,
      resolve: (p, _a, ctx) => ctx.loaders.placementsOfProject.load(p.id),
    }),
  }),
});

const Task = builder.objectRef<TaskShape>('Task').implement({
  fields: (t) => ({
    id: t.id({ resolve: (x) => String(x.id) }),
    index: t.exposeInt('idx'),
    state: t.exposeString('state'),
    attempts: t.exposeInt('attempts'),
    payload: t.field({ type: 'JSON', resolve: (x) => x.payload }),
    result: t.field({ type: 'JSON', nullable: true, resolve: (x) => x.result }),
    leaseExpiresAt: t.expose('leaseExpiresAt', { type: 'DateTime', nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

export const Job = builder.objectRef<JobShape>('Job').implement({
  description: 'A unit of farm work (e.g. a render) split into tasks that agents claim.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    type: t.exposeString('type'),
    state: t.exposeString('state'),
    priority: t.exposeInt('priority'),
    settings: t.field({ type: 'JSON', resolve: (j) => j.settings }),
    createdBy: t.exposeString('createdBy', { nullable: true }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    tasks: t.field({
      type: [Task],
      args: { first: t.arg.int({ required: false }) },
      complexity: (args) => ({ field: 1, multiplier: args.first ?? 100 }),
      resolve: (j, args, ctx) => ctx.app.db.select().from(tasks).where(eq(tasks.jobId, j.id)).orderBy(asc(tasks.idx)).limit(pageSize(args.first ?? 100, 1000)),
    }),
  }),
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

builder.queryFields((t) => ({
  agents: t.connection(
    {
      type: Agent,
      authScopes: { authenticated: true },
      resolve: (_root, args, ctx) => pageByName(ctx.app.db, agents, args),
    },
    {},
    {},
  ),
  projects: t.connection(
    {
      type: Project,
      authScopes: { authenticated: true },
      resolve: (_root, args, ctx) => pageByName(ctx.app.db, projects, args),
    },
    {},
    {},
  ),
  project: t.field({
    type: Project,
    nullable: true,
    authScopes: { authenticated: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_r, args, ctx) => (await ctx.app.db.select().from(projects).where(eq(projects.name, args.name)))[0] ?? null,
  }),
  jobs: t.connection(
    {
      type: Job,
      authScopes: { authenticated: true },
      resolve: async (_r, args, ctx) => {
        const limit = pageSize(args.first);
        const after = decodeCursor(args.after);
        const rows = await ctx.app.db
          .select()
          .from(jobs)
          .where(after !== null ? lt(jobs.createdAt, new Date(after)) : undefined)
          .orderBy(desc(jobs.createdAt))
          .limit(limit + 1);
        return keysetConnection(rows, limit, after, (r) => r.createdAt.toISOString());
      },
    },
    {},
    {},
  ),
  job: t.field({
    type: Job,
    nullable: true,
    authScopes: { authenticated: true },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_r, args, ctx) => {
      if (!UUID.test(String(args.id))) throw new ValidationError('job id must be a UUID', 'id');
      return (await ctx.app.db.select().from(jobs).where(eq(jobs.id, String(args.id))))[0] ?? null;
    },
  }),
}));

builder.objectField(Host, 'agent', (t) =>
  t.field({
    type: Agent,
    nullable: true,
    description: 'The agent running on this host, if one registered.',
    resolve: (h, _a, ctx) => ctx.loaders.agentOfHost.load(h.id),
  }),
);
