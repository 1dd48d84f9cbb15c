/** The audit log: filters (in the URL, so a host page can link here), paging, and new events live. */
import { type FormEvent, useState } from 'react';
import { useClient, useQuery, useSubscription } from 'urql';
import { errorMessage } from '../api/client.js';
import { AUDIT_EVENT_SUB, AUDIT_EVENTS } from '../api/queries.js';
import { type AuditRow, AuditTable } from '../components/audit-table.js';
import { navigate } from '../components/router.js';

const OUTCOMES = ['OK', 'FAILED', 'PARTIAL', 'DENIED', 'INTENT', 'DRY_RUN', 'REVIEW'];
const PAGE = 50;

interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}
type AuditPage = { auditEvents: { edges: { node: AuditRow }[]; pageInfo: PageInfo } };

export function AuditPage() {
  const params = new URLSearchParams(location.search);
  const filter: Record<string, unknown> = {};
  for (const k of ['actor', 'action', 'host', 'since', 'until']) {
    const v = params.get(k);
    if (v) filter[k] = k === 'since' || k === 'until' ? new Date(v).toISOString() : v;
  }
  const outcome = params.get('outcome');
  if (outcome) filter.outcome = [outcome];
  const client = useClient();
  const [{ data, error, fetching }] = useQuery<AuditPage>({ query: AUDIT_EVENTS, variables: { filter, first: PAGE }, requestPolicy: 'network-only' });
  // Older pages, fetched on demand by cursor and appended (for the filter they were fetched with).
  const [older, setOlder] = useState<{ search: string; rows: AuditRow[]; next: PageInfo | null; loading: boolean; error: string | null }>({
    search: '',
    rows: [],
    next: null,
    loading: false,
    error: null,
  });
  const more = older.search === location.search ? older : { search: location.search, rows: [], next: null, loading: false, error: null };
  const pageInfo = more.next ?? data?.auditEvents.pageInfo;
  const showMore = async () => {
    if (!pageInfo?.endCursor) return;
    setOlder({ ...more, loading: true, error: null });
    const r = await client.query<AuditPage>(AUDIT_EVENTS, { filter, first: PAGE, after: pageInfo.endCursor }, { requestPolicy: 'network-only' }).toPromise();
    if (r.error || !r.data) return setOlder({ ...more, loading: false, error: r.error ? errorMessage(r.error) : 'no data' });
    setOlder({ search: more.search, rows: [...more.rows, ...r.data.auditEvents.edges.map((e) => e.node)], next: r.data.auditEvents.pageInfo, loading: false, error: null });
  };
  // New events arrive live; shown on top when no filter is set (the server does not filter this stream).
  const [{ data: live }] = useSubscription<{ auditEvent: AuditRow }, AuditRow[]>({ query: AUDIT_EVENT_SUB, pause: Object.keys(filter).length > 0 }, (prev = [], d) => [
    d.auditEvent,
    ...prev,
  ]);
  const loaded = [...(data?.auditEvents.edges.map((e) => e.node) ?? []), ...more.rows];
  const seen = new Set(loaded.map((e) => e.id));
  const events = [...(live ?? []).filter((e) => !seen.has(e.id)), ...loaded];

  const apply = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const [k, v] of new FormData(e.currentTarget)) if (String(v).trim()) q.set(k, String(v).trim());
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
      {more.error && <p role="alert" className="error">{more.error}</p>}
      {pageInfo?.hasNextPage && (
        <button type="button" onClick={() => void showMore()} disabled={more.loading}>
          {more.loading ? 'Loading…' : 'Show more'}
        </button>
      )}
    </section>
  );
}
