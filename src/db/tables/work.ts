import { bigserial, index, integer, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { hosts } from './inventory.js';

export const agents = pgTable('agents', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  hostId: uuid('host_id').references(() => hosts.id, { onDelete: 'set null' }),
  capabilities: jsonb('capabilities').$type<string[]>().notNull().default([]),
  resources: jsonb('resources').$type<Record<string, number>>().notNull().default({}),
  status: text('status').$type<'ONLINE' | 'OFFLINE'>().notNull().default('OFFLINE'),
  version: text('version'),
  lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
  registeredAt: timestamp('registered_at', { withTimezone: true }).notNull().defaultNow(),
});

export const projects = pgTable('projects', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  gitUrl: text('git_url').notNull(),
  ref: text('ref').notNull().default('main'),
  command: jsonb('command').$type<string[]>().notNull(),
  needs: jsonb('needs').$type<{ ramMb?: number; diskMb?: number; capabilities?: string[] }>().notNull().default({}),
  desiredState: text('desired_state').$type<'RUNNING' | 'STOPPED'>().notNull().default('STOPPED'),
  variables: jsonb('variables').$type<Record<string, string>>().notNull().default({}),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const projectPlacements = pgTable(
  'project_placements',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    projectId: uuid('project_id').notNull().references(() => projects.id, { onDelete: 'cascade' }),
    agentId: uuid('agent_id').notNull().references(() => agents.id, { onDelete: 'cascade' }),
    state: text('state').notNull().default('ASSIGNED'),
    detail: text('detail'),
    placedAt: timestamp('placed_at', { withTimezone: true }).notNull().defaultNow(),
    reportedAt: timestamp('reported_at', { withTimezone: true }),
  },
  (t) => [index('project_placements_project_idx').on(t.projectId)],
);

export const jobs = pgTable('jobs', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  type: text('type').notNull(),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
  state: text('state').notNull().default('QUEUED'),
  priority: integer('priority').notNull().default(50),
  createdBy: text('created_by'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const tasks = pgTable(
  'tasks',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    jobId: uuid('job_id').notNull().references(() => jobs.id, { onDelete: 'cascade' }),
    idx: integer('idx').notNull(),
    state: text('state').notNull().default('QUEUED'),
    payload: jsonb('payload').$type<Record<string, unknown>>().notNull().default({}),
    leaseOwner: uuid('lease_owner'),
    leaseExpiresAt: timestamp('lease_expires_at', { withTimezone: true }),
    attempts: integer('attempts').notNull().default(0),
    result: jsonb('result').$type<Record<string, unknown>>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('tasks_job_state_idx').on(t.jobId, t.state)],
);
