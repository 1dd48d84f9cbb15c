import { bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { CheckStatus } from '../../core/plugin.js';
import { hosts } from './inventory.js';

/** Which hosts a check definition applies to. */
export interface CheckTarget {
  all?: boolean;
  hosts?: string[];
  groups?: string[];
}

export const checkDefinitions = pgTable('check_definitions', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull().unique(),
  kind: text('kind').notNull(),
  params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
  target: jsonb('target').$type<CheckTarget>().notNull().default({ all: true }),
  intervalS: integer('interval_s').notNull(),
  timeoutS: integer('timeout_s').notNull(),
  /** Hysteresis: consecutive failures before the state turns bad, successes before it recovers. */
  failThreshold: integer('fail_threshold').notNull().default(3),
  okThreshold: integer('ok_threshold').notNull().default(2),
  enabled: boolean('enabled').notNull().default(true),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  /**
   * The scheduler that runs this check's sweep now, and until when: one row locked per sweep
   * instead of one per host (replicas share the work by check). Expires if that server dies.
   */
  leaseOwner: text('lease_owner'),
  leaseUntil: timestamp('lease_until', { withTimezone: true }),
  /**
   * No later than the earliest next_due_at of its pairs: a claim reads a check's pairs only once
   * this is due, so idle ticks read no state rows and check_state needs no index on next_due_at
   * (which let its updates be HOT). Lowered by triggers on check_state and hosts (migration
   * check_due_per_definition), raised by the claim.
   */
  nextDueAt: timestamp('next_due_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Latest state per host × check. Written only by the scheduler. */
export const checkState = pgTable(
  'check_state',
  {
    hostId: uuid('host_id').notNull().references(() => hosts.id, { onDelete: 'cascade' }),
    checkId: uuid('check_id').notNull().references(() => checkDefinitions.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    /** The reported (debounced) status. */
    status: text('status').$type<CheckStatus>().notNull(),
    /** The status of the latest raw result. */
    lastStatus: text('last_status').$type<CheckStatus>().notNull(),
    summary: text('summary').notNull(),
    metrics: jsonb('metrics').$type<Record<string, number>>(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    since: timestamp('since', { withTimezone: true }).notNull(),
    consecutiveFailures: integer('consecutive_failures').notNull().default(0),
    consecutiveOk: integer('consecutive_ok').notNull().default(0),
    nextDueAt: timestamp('next_due_at', { withTimezone: true }).notNull(),
    /** Circuit breaker: current backoff (s) while the host keeps failing; 0 when healthy. */
    backoffS: integer('backoff_s').notNull().default(0),
    durationMs: doublePrecision('duration_ms').notNull().default(0),
    /** Results seen so far; 0 means "pending its first result" (which is taken without hysteresis). */
    resultCount: integer('result_count').notNull().default(0),
  },
  // No index on a column a sweep changes (next_due_at, status …): with free space in the page
  // (fillfactor 50, set in migration check_due_per_definition) updates stay HOT, a third of the cost.
  (t) => [primaryKey({ columns: [t.hostId, t.checkId] }), index('check_state_check_idx').on(t.checkId)],
);

/**
 * History, append-only. No foreign keys: their per-row triggers were a third of a 10,000-row sweep's
 * write. Results are written only for states that exist, and deleting a host or a check deletes
 * its history explicitly (src/core/checks/history.ts).
 */
export const checkResults = pgTable(
  'check_results',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    hostId: uuid('host_id').notNull(),
    checkId: uuid('check_id').notNull(),
    kind: text('kind').notNull(),
    status: text('status').$type<CheckStatus>().notNull(),
    summary: text('summary').notNull(),
    metrics: jsonb('metrics').$type<Record<string, number>>(),
    observedAt: timestamp('observed_at', { withTimezone: true }).notNull(),
    durationMs: doublePrecision('duration_ms').notNull().default(0),
  },
  (t) => [
    index('check_results_host_kind_idx').on(t.hostId, t.kind, t.observedAt),
    // Rows arrive in time order, so a block-range index serves the retention delete at a fraction
    // of a B-tree's cost per insert (10,000 rows a sweep).
    index('check_results_observed_brin').using('brin', t.observedAt),
  ],
);
