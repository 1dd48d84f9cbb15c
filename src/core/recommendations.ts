/**
 * The recommendation engine: rules contributed by plugins, evaluated over a host's latest check
 * states and its recent repair history. When the same repair already ran on the host within 24 h,
 * the recommendation becomes ESCALATE instead of repeating the fix.
 */
import { and, desc, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { auditEvents } from '../db/tables/audit.js';
import { checkState } from '../db/tables/checks.js';
import type { HostRow } from './inventory/select-hosts.js';
import type { HostFacts, Recommendation } from './plugin.js';
import type { PluginRegistry } from './plugin-registry.js';

const RANK = { OK: 0, UNKNOWN: 1, WARN: 2, CRIT: 3 } as const;

export async function hostFacts(db: Db, hostRows: HostRow[], now = new Date()): Promise<Map<string, HostFacts>> {
  const out = new Map<string, HostFacts>();
  if (hostRows.length === 0) return out;
  const ids = hostRows.map((h) => h.id);
  const names = hostRows.map((h) => h.name);
  const [states, events] = await Promise.all([
    db.select().from(checkState).where(inArray(checkState.hostId, ids)),
    db
      .select()
      .from(auditEvents)
      .where(
        and(
          gte(auditEvents.at, new Date(now.getTime() - 86_400_000)),
          inArray(auditEvents.outcome, ['OK', 'PARTIAL']),
          sql`jsonb_exists_any(${auditEvents.targets}, ARRAY[${sql.join(
            names.map((n) => sql`${n}`),
            sql`, `,
          )}]::text[])`,
        ),
      )
      .orderBy(desc(auditEvents.at))
      .limit(1000),
  ]);
  for (const h of hostRows) {
    const checks: HostFacts['checks'] = {};
    for (const s of states) {
      if (s.hostId !== h.id) continue;
      const prior = checks[s.kind];
      if (!prior || RANK[s.status] > RANK[prior.status]) {
        checks[s.kind] = { status: s.status, since: s.since, summary: s.summary, consecutiveFailures: s.consecutiveFailures, metrics: s.metrics };
      }
    }
    const recentActions = events
      .filter((e) => e.targets.includes(h.name))
      .map((e) => ({ action: e.action, outcome: e.outcome, at: e.at, params: (e.details?.params as Record<string, unknown>) ?? null }));
    out.set(h.id, { host: { id: h.id, name: h.name, address: h.address, labels: h.labels, settings: undefined, enabled: h.enabled }, checks, recentActions, now });
  }
  return out;
}

export function recommend(registry: PluginRegistry, facts: HostFacts): Recommendation[] {
  const out: Recommendation[] = [];
  for (const plugin of registry.plugins) {
    for (const rule of plugin.recommendations ?? []) {
      try {
        const r = rule.evaluate(facts);
        if (r) out.push(r);
      } catch {
        // A faulty rule must not hide the others.
      }
    }
  }
  return out.sort((a, b) => b.confidence - a.confidence);
}

export async function recommendationsFor(db: Db, registry: PluginRegistry, hostRows: HostRow[]): Promise<Map<string, Recommendation[]>> {
  const facts = await hostFacts(db, hostRows);
  return new Map([...facts].map(([id, f]) => [id, recommend(registry, f)]));
}
