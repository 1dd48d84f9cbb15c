/** The result of an operation on many hosts: one outcome per host plus the audit event. */
import type { AuditRow } from '../core/audit.js';
import { builder } from './builder.js';
import { AuditEventRef } from './audit-ref.js';

export interface HostOutcomeShape {
  host: string;
  ok: boolean;
  message: string;
  details?: Record<string, unknown> | null;
}
export interface BulkShape {
  outcomes: HostOutcomeShape[];
  auditEvent: AuditRow | null;
  dryRun?: boolean;
}

export const HostOutcome = builder.objectRef<HostOutcomeShape>('HostOutcome').implement({
  fields: (t) => ({
    host: t.exposeString('host'),
    ok: t.exposeBoolean('ok'),
    message: t.exposeString('message'),
    details: t.field({ type: 'JSON', nullable: true, resolve: (o) => o.details ?? null }),
  }),
});

export const BulkResult = builder.objectRef<BulkShape>('BulkResult').implement({
  fields: (t) => ({
    outcomes: t.field({ type: [HostOutcome], resolve: (r) => r.outcomes }),
    auditEvent: t.field({ type: AuditEventRef, nullable: true, resolve: (r) => r.auditEvent }),
    dryRun: t.boolean({ resolve: (r) => r.dryRun ?? false }),
    okCount: t.int({ resolve: (r) => r.outcomes.filter((o) => o.ok).length }),
    failedCount: t.int({ resolve: (r) => r.outcomes.filter((o) => !o.ok).length }),
  }),
});

export function bulkOk(targets: { name: string }[], message: string, auditEvent: AuditRow | null): BulkShape {
  return { outcomes: targets.map((h) => ({ host: h.name, ok: true, message })), auditEvent };
}
