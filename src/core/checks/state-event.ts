/**
 * The checkStateChanged event carries the new check state (and the host row) as written, so a
 * subscription resolves it without reading the database once per event. NOTIFY holds at most 8000
 * bytes: a state or host too big to travel (a long summary, many metrics or labels) is left out
 * and subscribers read it from the database instead.
 */
import type { checkState } from '../../db/tables/checks.js';
import type { hosts } from '../../db/tables/inventory.js';
import type { CheckStatus } from '../plugin.js';
import type { Topics } from '../pubsub.js';
import type { StateWrite } from './write-results.js';

type CheckStateRow = typeof checkState.$inferSelect;
type HostRowFull = typeof hosts.$inferSelect;
type Event = Topics['checkStateChanged'];

/** Above this many bytes an event drops its host, then its state (batches still hold several). */
export const EVENT_BUDGET_BYTES = 3000;

const iso = (d: Date | string) => (d instanceof Date ? d : new Date(d)).toISOString();

/** The event for one written state; `host` is the host's row when the publisher has it at hand. */
export function checkStateEvent(w: StateWrite, groupIds: string[], host?: HostRowFull | null): Event {
  const event: Event = {
    hostId: w.hostId,
    checkId: w.checkId,
    kind: w.kind,
    groupIds,
    status: w.status,
    state: {
      lastStatus: w.lastStatus,
      summary: w.summary,
      metrics: w.metrics ?? null,
      observedAt: iso(w.observedAt),
      since: iso(w.since),
      consecutiveFailures: w.consecutiveFailures,
      consecutiveOk: w.consecutiveOk,
      nextDueAt: iso(w.nextDueAt),
      backoffS: w.backoffS,
      durationMs: w.durationMs,
      resultCount: w.resultCount,
    },
  };
  if (host) {
    event.host = {
      name: host.name,
      address: host.address,
      labels: host.labels,
      enabled: host.enabled,
      disabledReason: host.disabledReason,
      createdAt: iso(host.createdAt),
      updatedAt: iso(host.updatedAt),
    };
  }
  // A sweep may publish thousands of these: measure exactly only when a cheap bound says it could be big.
  if (upperBound(event) <= EVENT_BUDGET_BYTES) return event;
  // Bytes, not characters: NOTIFY's limit is in bytes and a summary may be far from ASCII.
  if (event.host && Buffer.byteLength(JSON.stringify(event)) > EVENT_BUDGET_BYTES) delete event.host;
  if (event.state && Buffer.byteLength(JSON.stringify(event)) > EVENT_BUDGET_BYTES) delete event.state;
  return event;
}

/**
 * Bytes the event's JSON can take at most: free text counted as if every character needed a
 * six-byte escape, JSON-encoded parts at three bytes a character, fixed fields at their widest.
 */
function upperBound(e: Event): number {
  const text = (v: string | null | undefined) => 6 * (v?.length ?? 0);
  const json = (v: unknown) => 3 * (v == null ? 4 : JSON.stringify(v).length);
  let n = 700 + text(e.kind) + text(e.status) + 40 * e.groupIds.length;
  if (e.state) n += text(e.state.lastStatus) + text(e.state.summary) + json(e.state.metrics);
  if (e.host) n += text(e.host.name) + text(e.host.address) + text(e.host.disabledReason) + json(e.host.labels);
  return n;
}

/** The check state row an event carries, or null when it was left out (read it instead). */
export function stateOfEvent(e: Event): CheckStateRow | null {
  const s = e.state;
  if (!s) return null;
  return {
    hostId: e.hostId,
    checkId: e.checkId,
    kind: e.kind,
    status: e.status as CheckStatus,
    lastStatus: s.lastStatus as CheckStatus,
    summary: s.summary,
    metrics: s.metrics,
    observedAt: new Date(s.observedAt),
    since: new Date(s.since),
    consecutiveFailures: s.consecutiveFailures,
    consecutiveOk: s.consecutiveOk,
    nextDueAt: new Date(s.nextDueAt),
    backoffS: s.backoffS,
    durationMs: s.durationMs,
    resultCount: s.resultCount,
  };
}

/** The host row an event carries, or null when it was left out. */
export function hostOfEvent(e: Event): HostRowFull | null {
  const h = e.host;
  if (!h) return null;
  return { id: e.hostId, ...h, createdAt: new Date(h.createdAt), updatedAt: new Date(h.updatedAt) };
}
