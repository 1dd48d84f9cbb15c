/** The audit log: filters (in the URL, so a host page can link here), paging, and new events live. */
import { type FormEvent, useState } from 'react';
import { useQuery, useSubscription } from 'urql';
import { errorMessage } from '../api/client.js';
import { AUDIT_EVENT_SUB, AUDIT_EVENTS } from '../api/queries.js';
import { type AuditRow, AuditTable } from '../components/audit-table.js';
import { navigate } from '../components/router.js';

const OUTCOMES = ['OK', 'FAILED', 'PARTIAL', 'DENIED', 'INTENT', 'DRY_RUN', 'REVIEW'];
const PAGE = 50;

export function AuditPage() {
  const params = new URLSearchParams(location.search);
  const filter: Record<string, unknown> = {};
  for (const k of ['actor', 'action', 'host', 'since', 'until']) {
    const v = params.get(k);
    if (v) filter[k] = k === 'since' || k === 'until' ? new Date(v).toISOString() : v;
  }
  const outcome = params.get('outcome');
  if (outcome) filter.outcome = [outcome];
  const [pages, setPages] = useState(1);
  const [{ data, error, fetching }] = useQuery<{ auditEvents: { edges: { node: AuditRow }[]; pageInfo: { hasNextPage: boolean } } }>({
    query: AUDIT_EVENTS,
    variables: { filter, first: Math.min(PAGE * pages, 100) },
    requestPolicy: 'network-only',
  });
  // New events arrive live; shown on top when no filter is set (the server does not filter this stream).
  const [{ data: live }] = useSubscription<{ auditEvent: AuditRow }, AuditRow[]>({ query: AUDIT_EVENT_SUB, pause: Object.keys(filter).length > 0 }, (prev = [], d) => [
    d.auditEvent,
    ...prev,
  ]);
  const loaded = data?.auditEvents.edges.map((e) => e.node) ?? [];
  const seen = new Set(loaded.map((e) => e.id));
  const events = [...(live ?? []).filter((e) => !seen.has(e.id)), ...loaded];

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget)) if (String(v).trim()) q.set(k, String(v).trim());
    setPages(1);
    navigate(`/audit${q.size ? `?${q}` : ''}`);
  };
  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form className="filters" onSubmit={apply} key={location.search}>
        <label>
          Actor <input name="actor" defaultValue={params.get('actor') ?? ''} />
        </label>
        <label>
          Action <input name="action" defaultValue={params.get('action') ?? ''} placeholder="e.g. host. or ipmi.power" />
        </label>
        <label>
          Host <input name="host" defaultValue={params.get('host') ?? ''} />
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={outcome ?? ''}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option key={o}>{o}</option>
            ))}
          </select>
        </label>
        <label>
          Since <input name="since" type="datetime-local" defaultValue={params.get('since') ?? ''} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {error && <p role="alert" className="error">{errorMessage(error)}</p>}
      {fetching && !data ? <p>Loading…</p> : <AuditTable events={events} />}
      {data?.auditEvents.pageInfo.hasNextPage && pages * PAGE < 100 && (
        <button type="button" onClick={() => setPages((p) => p + 1)}>
          Show more
        </button>
      )}
    </section>
  );
}
