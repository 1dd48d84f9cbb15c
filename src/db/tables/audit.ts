import { bigserial, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

export const AUDIT_OUTCOMES = ['INTENT', 'OK', 'PARTIAL', 'FAILED', 'DENIED', 'DRY_RUN', 'REVIEW'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/** Append-only: the application never updates or deletes rows here. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actor: text('actor').notNull(),
    actorId: uuid('actor_id'),
    action: text('action').notNull(),
    targets: jsonb('targets').$type<string[]>().notNull().default([]),
    reason: text('reason'),
    outcome: text('outcome').$type<AuditOutcome>().notNull(),
    details: jsonb('details').$type<Record<string, unknown>>(),
    requestId: text('request_id'),
  },
  (t) => [index('audit_events_at_idx').on(t.at), index('audit_events_action_idx').on(t.action)],
);
