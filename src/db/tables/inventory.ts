import { boolean, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const hosts = pgTable('hosts', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  address: text('address'),
  labels: jsonb('labels').$type<Record<string, string>>().notNull().default({}),
  enabled: boolean('enabled').notNull().default(true),
  /** Why the host is in maintenance (setHostsEnabled reason). */
  disabledReason: text('disabled_reason'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const GROUP_SOURCES = ['STATIC', 'GENDERS', 'PDSH', 'CSV', 'SLURM'] as const;
export type GroupSource = (typeof GROUP_SOURCES)[number];

export const groups = pgTable('groups', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  source: text('source').$type<GroupSource>().notNull().default('STATIC'),
  description: text('description'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const hostGroups = pgTable(
  'host_groups',
  {
    hostId: uuid('host_id').notNull().references(() => hosts.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id').notNull().references(() => groups.id, { onDelete: 'cascade' }),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.groupId] }), index('host_groups_group_idx').on(t.groupId)],
);

/** Per-host connection settings of one plugin; secret fields live only in `secrets`, encrypted. */
export const hostSettings = pgTable(
  'host_settings',
  {
    hostId: uuid('host_id').notNull().references(() => hosts.id, { onDelete: 'cascade' }),
    plugin: text('plugin').notNull(),
    settings: jsonb('settings').$type<Record<string, unknown>>().notNull().default({}),
    secrets: text('secrets'),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.hostId, t.plugin] })],
);

/** Small persistent state a plugin keeps per host (pinned SSH host keys …). */
export const pluginState = pgTable(
  'plugin_state',
  {
    plugin: text('plugin').notNull(),
    hostId: uuid('host_id').notNull().references(() => hosts.id, { onDelete: 'cascade' }),
    key: text('key').notNull(),
    value: jsonb('value'),
  },
  (t) => [primaryKey({ columns: [t.plugin, t.hostId, t.key] })],
);
