/**
 * Runs a plugin action on hosts with every safety the product promises: grants checked for every
 * target, a reason for dangerous actions, the bulk limit, dry runs, per-host cooldowns, required
 * recommendations, idempotency keys, rate limits, and audit events before (intent) and after
 * (outcome). Power actions are at most once: an intent with no outcome is flagged for review at
 * the next start, never replayed.
 */
import { and, desc, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { rowsOf } from '../../db/rows.js';
import { auditEvents } from '../../db/tables/audit.js';
import { writeAudit, type AuditRow } from '../audit.js';
import { hasGlobalRole, type Principal } from '../auth/principal.js';
import type { CommandRunner } from '../command.js';
import { CorralError, RateLimitedError, ValidationError } from '../errors.js';
import { targetsFor } from '../host-settings.js';
import { publishHostsUpdated } from '../inventory/events.js';
import { selectHosts } from '../inventory/select-hosts.js';
import type { Logger } from '../logger.js';
import type { PluginRegistry } from '../plugin-registry.js';
import { pluginStateStore } from '../plugin-state.js';
import type { PubSub } from '../pubsub.js';
import { hitLimits, refundLimits } from '../rate-limit.js';
import { recommendationsFor } from '../recommendations.js';
import type { SecretBox } from '../secrets.js';
import { authorizeHosts } from './authorize-hosts.js';

export interface ActionDeps {
  db: Db;
  registry: PluginRegistry;
  pubsub: PubSub;
  secrets: SecretBox;
  log: Logger;
  run: CommandRunner;
  maxBulk: number;
  /** Dangerous actions per minute, per user and for everyone together (counted in Postgres). */
  rate?: { perUserPerMinute: number; globalPerMinute: number };
}

export interface ActionRequest {
  actionId: string;
  hosts: string[];
  params: unknown;
  reason?: string | null;
  dryRun?: boolean | null;
  force?: boolean | null;
  idempotencyKey?: string | null;
  requestId?: string;
}

export interface ActionResult {
  outcomes: { host: string; ok: boolean; message: string; details?: Record<string, unknown> | null }[];
  auditEvent: AuditRow | null;
  dryRun: boolean;
}

const IDEMPOTENCY_WINDOW_MS = 5 * 60_000;
export const DEFAULT_ACTION_RATE = { perUserPerMinute: 30, globalPerMinute: 120 };

export async function runHostAction(deps: ActionDeps, principal: Principal, req: ActionRequest): Promise<ActionResult> {
  const { db, pubsub } = deps;
  const registered = deps.registry.actions.get(req.actionId);
  if (!registered) throw new ValidationError(`unknown action ${req.actionId}; known: ${[...deps.registry.actions.keys()].join(', ')}`, 'action');
  const { action } = registered;
  const parsed = action.params.safeParse(req.params ?? {});
  const reason = req.reason?.trim() || null;
  // A dangerous action without a reason is REASON_REQUIRED (audited below) even when the reason is
  // also a parameter (slurm.drain) that fails validation for being empty.
  const reasonMissing = action.dangerous && !reason;
  if (!parsed.success && !reasonMissing) {
    const issue = parsed.error.issues[0];
    throw new ValidationError(`invalid parameters: ${issue?.path.join('.') || '(root)'}: ${issue?.message}`, 'params');
  }
  const params = parsed.success ? parsed.data : (req.params ?? {});
  if (reason && reason.length > 500) throw new ValidationError('reason must be at most 500 characters', 'reason');
  const targets = await selectHosts(db, req.hosts);
  const names = targets.map((h) => h.name);
  const audit = { action: req.actionId, reason, requestId: req.requestId };
  const isAdmin = hasGlobalRole(principal, 'ADMIN');
  const force = !!req.force;

  await authorizeHosts(db, pubsub, principal, action.minRole === 'admin' ? 'ADMIN' : 'OPERATOR', targets, audit);

  const deny = async (code: ConstructorParameters<typeof CorralError>[0], message: string, details: Record<string, unknown> = {}): Promise<never> => {
    await writeAudit(db, pubsub, { principal, ...audit, targets: names, outcome: 'DENIED', details: { params, ...details, refusal: message } });
    throw new CorralError(code, message, code === 'REASON_REQUIRED' ? 'reason' : 'hosts');
  };

  if (action.dangerous && !reason) await deny('REASON_REQUIRED', `${req.actionId} is a dangerous action: give a reason`);
  if (force && !isAdmin) await deny('FORBIDDEN', 'only admins may force an action');
  if (targets.length > deps.maxBulk && !(force && isAdmin)) {
    await deny('BULK_LIMIT', `${targets.length} hosts is more than the limit of ${deps.maxBulk} at once; narrow the selection${isAdmin ? ' or pass force' : ''}`);
  }

  if (req.idempotencyKey) {
    const [prior] = await db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.action, req.actionId),
          gte(auditEvents.at, new Date(Date.now() - IDEMPOTENCY_WINDOW_MS)),
          sql`${auditEvents.details}->>'idempotencyKey' = ${req.idempotencyKey}`,
          sql`${auditEvents.outcome} IN ('OK', 'PARTIAL', 'FAILED')`,
        ),
      )
      .orderBy(desc(auditEvents.id))
      .limit(1);
    if (prior) return { outcomes: (prior.details?.outcomes as ActionResult['outcomes']) ?? [], auditEvent: prior, dryRun: false };
  }

  // Safety gates that need history: recommendations (operators) and per-host cooldowns.
  const needed = action.requiresRecommendation?.(params) ?? null;
  let shownRecommendations: Record<string, string[]> = {};
  if (needed) {
    const recs = await recommendationsFor(db, deps.registry, targets);
    shownRecommendations = Object.fromEntries(targets.map((h) => [h.name, (recs.get(h.id) ?? []).map((r) => r.action)]));
    const lacking = targets.filter((h) => !(recs.get(h.id) ?? []).some((r) => r.action === needed));
    if (lacking.length && !(isAdmin && force)) {
      await deny('FORBIDDEN', `${needed} is not recommended for ${lacking.map((h) => h.name).join(', ')}; ${isAdmin ? 'pass force with a reason to override' : 'ask an admin to override'}`, {
        recommendations: shownRecommendations,
      });
    }
  }
  const cooldownS = action.cooldownS?.(params) ?? null;
  if (cooldownS && !(isAdmin && force)) {
    const recent = await db
      .select({ targets: auditEvents.targets, at: auditEvents.at })
      .from(auditEvents)
      .where(and(eq(auditEvents.action, req.actionId), gte(auditEvents.at, new Date(Date.now() - cooldownS * 1000)), sql`${auditEvents.outcome} IN ('INTENT', 'OK', 'PARTIAL')`));
    const cooling = targets.filter((h) => recent.some((e) => e.targets.includes(h.name)));
    if (cooling.length) await deny('FORBIDDEN', `${cooling.map((h) => h.name).join(', ')} had ${req.actionId} within the last ${Math.round(cooldownS / 60)} minutes; wait, or ask an admin to force it`);
  }

  const plugin = registered.plugin;
  const hostTargets = await targetsFor(db, deps.secrets, plugin, targets);
  if (req.dryRun) {
    const outcomes = hostTargets.map((t) => ({ host: t.name, ok: true, message: action.describe(t, params) }));
    const event = await writeAudit(db, pubsub, { principal, ...audit, targets: names, outcome: 'DRY_RUN', details: { params, outcomes, recommendations: shownRecommendations } });
    return { outcomes, auditEvent: event, dryRun: true };
  }

  if (action.dangerous && principal.kind === 'user') {
    const rate = deps.rate ?? DEFAULT_ACTION_RATE;
    const limits = [
      { key: `action:user:${principal.userId}`, max: rate.perUserPerMinute, windowS: 60 },
      { key: 'action:global', max: rate.globalPerMinute, windowS: 60 },
    ];
    const limited = await hitLimits(db, limits);
    // A refused attempt did not act: it does not use up anyone's budget.
    if (limited) await refundLimits(db, limits);
    if (limited) throw new RateLimitedError(`too many dangerous actions (${limited.max} per minute); try again shortly`);
  }

  const intent = await writeAudit(db, pubsub, {
    principal,
    ...audit,
    targets: names,
    outcome: 'INTENT',
    details: { params, idempotencyKey: req.idempotencyKey ?? null, forced: force, recommendations: shownRecommendations },
  });
  let outcomes: ActionResult['outcomes'];
  try {
    const results = await action.run(hostTargets, params, {
      signal: AbortSignal.timeout(5 * 60_000),
      log: deps.log.child({ action: req.actionId }),
      run: deps.run,
      state: pluginStateStore(db, plugin),
      now: () => new Date(),
    });
    const byId = new Map(results.map((r) => [r.hostId, r]));
    outcomes = targets.map((h) => {
      const r = byId.get(h.id);
      return r ? { host: h.name, ok: r.ok, message: r.message, details: r.details ?? null } : { host: h.name, ok: false, message: 'the plugin returned no outcome for this host' };
    });
  } catch (e) {
    deps.log.error('action failed', { action: req.actionId, error: String(e) });
    outcomes = targets.map((h) => ({ host: h.name, ok: false, message: `action failed: ${e instanceof Error ? e.message : String(e)}` }));
  }
  const okCount = outcomes.filter((o) => o.ok).length;
  const event = await writeAudit(db, pubsub, {
    principal,
    ...audit,
    targets: names,
    outcome: okCount === outcomes.length ? 'OK' : okCount === 0 ? 'FAILED' : 'PARTIAL',
    details: { params, outcomes, intentId: intent.id, idempotencyKey: req.idempotencyKey ?? null, forced: force, recommendations: shownRecommendations },
  });
  await publishHostsUpdated(
    db,
    pubsub,
    targets.map((h) => h.id),
  );
  return { outcomes, auditEvent: event, dryRun: false };
}

/**
 * An INTENT with no outcome after the action timeout (5 min) means a server died mid-action. It is
 * flagged REVIEW for a human and never replayed. Runs at start and every minute (any replica).
 */
export async function flagInterruptedActions(db: Db, pubsub: PubSub | null, principal: Principal): Promise<number> {
  const rows = await db.execute(sql`
    SELECT i.id, i.action, i.targets, i.reason FROM audit_events i
    WHERE i.outcome = 'INTENT' AND i.at < now() - interval '6 minutes'
      AND NOT EXISTS (SELECT 1 FROM audit_events o WHERE (o.details->>'intentId')::bigint = i.id)
    LIMIT 1000`);
  const list = rowsOf<{ id: number; action: string; targets: string[]; reason: string | null }>(rows);
  for (const r of list) {
    await writeAudit(db, pubsub, {
      principal,
      action: r.action,
      targets: r.targets,
      reason: r.reason,
      outcome: 'REVIEW',
      details: { intentId: Number(r.id), note: 'the server stopped during this action; its outcome is unknown and it was not replayed — check the hosts' },
    });
  }
  return list.length;
}

