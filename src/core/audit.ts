/** The append-only audit log: every state-changing mutation and every refusal writes here. */
import type { Db } from '../db/client.js';
import { type AuditOutcome, auditEvents } from '../db/tables/audit.js';
import { actorName, type Principal } from './auth/principal.js';
import type { PubSub } from './pubsub.js';

export interface AuditInput {
  principal: Principal;
  action: string;
  targets?: string[];
  reason?: string | null;
  outcome: AuditOutcome;
  details?: Record<string, unknown>;
  requestId?: string;
}

export type AuditRow = typeof auditEvents.$inferSelect;

export async function writeAudit(db: Db, pubsub: PubSub | null, input: AuditInput): Promise<AuditRow> {
  const [row] = await db
    .insert(auditEvents)
    .values({
      actor: actorName(input.principal),
      actorId: input.principal.kind === 'user' ? input.principal.userId : input.principal.kind === 'agent' ? input.principal.agentId : null,
      action: input.action,
      targets: input.targets ?? [],
      reason: input.reason ?? null,
      outcome: input.outcome,
      details: input.details ?? null,
      requestId: input.requestId ?? null,
    })
    .returning();
  await pubsub?.publish('auditEvent', { id: row!.id, targets: row!.targets });
  return row!;
}
