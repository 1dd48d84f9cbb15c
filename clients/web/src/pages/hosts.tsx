/**
 * The fleet table: one row per host, one column per check kind. One `status` query loads it;
 * hostUpdated / checkStateChanged patch rows in place (see HostMatrix). Rows are virtualised at a
 * fixed height, so 10,000 hosts render ~40 rows and the scroll position survives every update.
 */
import { memo, useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { useClient, useQuery } from 'urql';
import { errorMessage } from '../api/client.js';
import { type Cell, type HostEvent, HostMatrix, type Row, type StatusData, selectRows } from '../api/host-matrix.js';
import { CHECK_STATE_CHANGED, HOST_UPDATED, STATUS } from '../api/queries.js';
import { HostActions } from '../components/host-actions.js';
import { Link } from '../components/router.js';
import { StatusBadge } from '../components/status.js';

const ROW_H = 30;
const OVERSCAN = 8;
const HEALTHS = ['CRIT', 'WARN', 'UNKNOWN', 'OK', 'DISABLED'] as const;
const FIXED = [
  { id: 'health', label: 'Health', width: 100 },
  { id: 'address', label: 'Address', width: 140 },
  { id: 'groups', label: 'Groups', width: 180 },
];
const KIND_W = 110;
const HIDDEN_KEY = 'corral.hosts.hidden';

function loadHidden(): Set<string> {
  try {
    return new Set(JSON.parse(localStorage.getItem(HIDDEN_KEY) ?? '[]') as string[]);
  } catch {
    return new Set();
  }
}

export function HostsPage() {
  const client = useClient();
  const matrix = useMemo(() => new HostMatrix(), []);
  const [{ data, error, fetching }, refetch] = useQuery<{ status: StatusData }>({ query: STATUS, variables: {}, requestPolicy: 'network-only' });
  const version = useSyncExternalStore(
    useCallback((cb: () => void) => matrix.subscribe(cb), [matrix]),
    () => matrix.version,
  );

  useEffect(() => {
    if (data?.status) matrix.load(data.status);
  }, [data, matrix]);

  // Live: patch rows from both subscriptions; something unknown (new host or kind) → one refetch soon.
  useEffect(() => {
    const push = (e: HostEvent) => matrix.push(e);
    const a = client.subscription(HOST_UPDATED, {}).subscribe((r) => r.data?.hostUpdated && push({ type: 'host', host: r.data.hostUpdated }));
    const b = client.subscription(CHECK_STATE_CHANGED, {}).subscribe((r) => r.data?.checkStateChanged && push({ type: 'cell', cell: r.data.checkStateChanged }));
    let timer: ReturnType<typeof setTimeout> | null = null;
    const off = matrix.subscribe((c) => {
      if (!c.unknown || timer) return;
      timer = setTimeout(() => {
        timer = null;
        refetch({ requestPolicy: 'network-only' });
      }, 1500);
    });
    return () => {
      a.unsubscribe();
      b.unsubscribe();
      off();
      if (timer) clearTimeout(timer);
      matrix.dispose();
    };
  }, [client, matrix, refetch]);

  const [group, setGroup] = useState('');
  const [health, setHealth] = useState<Set<string>>(new Set());
  const [searchInput, setSearchInput] = useState('');
  const search = useDeferredValue(searchInput);
  const [sort, setSort] = useState({ column: 'name', desc: false });
  const [hidden, setHidden] = useState(loadHidden);
  const [selected, setSelected] = useState<Set<string>>(new Set());

  // The row order follows live updates at most a few times a second, so rows do not jump under the pointer.
  const [orderTick, setOrderTick] = useState(0);
  useEffect(() => {
    let t: ReturnType<typeof setTimeout> | null = null;
    const off = matrix.subscribe((c) => {
      if (c.columns.has('*')) return setOrderTick((n) => n + 1);
      const affects = (health.size > 0 && c.columns.has('health')) || c.columns.has(sort.column) || (sort.column === 'health' && c.columns.has('health'));
      if (!affects || t) return;
      t = setTimeout(() => {
        t = null;
        setOrderTick((n) => n + 1);
      }, 300);
    });
    return () => {
      off();
      if (t) clearTimeout(t);
    };
  }, [matrix, health, sort.column]);
  // The matrix is mutable: orderTick says when to read it again.
  const order = useMemo(() => {
    void orderTick;
    return selectRows(matrix, { group, health, search, sort });
  }, [matrix, group, health, search, sort, orderTick]);

  const groups = useMemo(() => {
    void orderTick;
    const s = new Set<string>();
    for (const r of matrix.rows.values()) for (const g of r.groups) s.add(g);
    return [...s].sort();
  }, [matrix, orderTick]);

  const kinds = matrix.kinds;
  const columns = useMemo(
    () => [...FIXED.map((c) => ({ ...c, kind: false })), ...kinds.map((k) => ({ id: k, label: k, width: KIND_W, kind: true }))].filter((c) => !hidden.has(c.id)),
    [kinds, hidden],
  );
  const template = `36px 200px ${columns.map((c) => `${c.width}px`).join(' ')}`;

  const toggleHidden = (id: string) => {
    const next = new Set(hidden);
    if (!next.delete(id)) next.add(id);
    localStorage.setItem(HIDDEN_KEY, JSON.stringify([...next]));
    setHidden(next);
  };
  const toggleHealth = (h: string) => {
    const next = new Set(health);
    if (!next.delete(h)) next.add(h);
    setHealth(next);
  };
  const sortBy = (column: string) => setSort((s) => ({ column, desc: s.column === column ? !s.desc : column !== 'name' && column !== 'address' && column !== 'groups' }));
  const toggleRow = useCallback((id: string) => {
    setSelected((s) => {
      const next = new Set(s);
      if (!next.delete(id)) next.add(id);
      return next;
    });
  }, []);
  const allSelected = order.length > 0 && order.every((id) => selected.has(id));
  const targets = [...selected].flatMap((id) => {
    const r = matrix.rows.get(id);
    return r ? [{ name: r.name, groups: r.groups, enabled: r.enabled }] : [];
  });

  // Virtual window.
  const scroller = useRef<HTMLDivElement>(null);
  const [viewport, setViewport] = useState({ top: 0, height: 600 });
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    let raf = 0;
    const read = () => {
      raf = 0;
      setViewport({ top: el.scrollTop, height: el.clientHeight });
    };
    const onScroll = () => {
      if (!raf) raf = requestAnimationFrame(read);
    };
    read();
    el.addEventListener('scroll', onScroll, { passive: true });
    const ro = new ResizeObserver(onScroll);
    ro.observe(el);
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro.disconnect();
      cancelAnimationFrame(raf);
    };
  }, []);
  // When a filter shrinks the list, the browser clamps scrollTop only on its next scroll event:
  // clamp here too, so the rows show in the same render as the new count.
  const top = Math.min(viewport.top, Math.max(0, order.length * ROW_H - viewport.height));
  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(order.length, Math.ceil((top + viewport.height) / ROW_H) + OVERSCAN);
  const visible = order.slice(first, last);
  const counts = useMemo(() => {
    void version; // health changes bump the matrix version
    const c: Record<string, number> = {};
    for (const id of order) {
      const h = matrix.rows.get(id)?.health ?? 'UNKNOWN';
      c[h] = (c[h] ?? 0) + 1;
    }
    return c;
  }, [order, matrix, version]);

  return (
    <section className="hosts-page" aria-labelledby="hosts-title">
      <div className="toolbar">
        <h1 id="hosts-title">Hosts</h1>
        <label>
          Search
          <input type="search" value={searchInput} onChange={(e) => setSearchInput(e.target.value)} placeholder="name or address" />
        </label>
        <label>
          Group
          <select value={group} onChange={(e) => setGroup(e.target.value)}>
            <option value="">all groups</option>
            {groups.map((g) => (
              <option key={g} value={g}>
                {g}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="chips">
          <legend>Health</legend>
          {HEALTHS.map((h) => (
            <label key={h} className={`chip s-${h.toLowerCase()}`}>
              <input type="checkbox" checked={health.has(h)} onChange={() => toggleHealth(h)} />
              {h}
            </label>
          ))}
        </fieldset>
        <details className="columns-menu">
          <summary>Columns</summary>
          <fieldset>
            <legend>Show columns</legend>
            {[...FIXED.map((c) => c.id), ...kinds].map((id) => (
              <label key={id}>
                <input type="checkbox" checked={!hidden.has(id)} onChange={() => toggleHidden(id)} />
                {id}
              </label>
            ))}
          </fieldset>
        </details>
      </div>
      <p className="summary" aria-live="polite">
        {fetching && !data ? 'Loading…' : `${order.length} of ${matrix.rows.size} hosts`}
        {HEALTHS.filter((h) => counts[h]).map((h) => (
          <span key={h} className={`count s-${h.toLowerCase()}`}>
            {counts[h]} {h}
          </span>
        ))}
      </p>
      {error && (
        <p role="alert" className="error">
          {errorMessage(error)}
        </p>
      )}
      <div className="bulk" aria-live="polite">
        {selected.size > 0 ? (
          <>
            <span>{selected.size} selected</span>
            <button type="button" onClick={() => setSelected(new Set())}>
              Clear
            </button>
            <HostActions targets={targets} families={{ enable: true, power: true, slurm: true }} />
          </>
        ) : (
          <span className="muted">Select hosts for bulk actions.</span>
        )}
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: the scroll area must take keyboard focus to scroll */}
      <div className="grid-scroll" ref={scroller} tabIndex={0} style={{ ['--cols' as string]: template }}>
        <table aria-label="Hosts" aria-rowcount={order.length + 1}>
          <thead>
            <tr className="grid-row grid-head" aria-rowindex={1}>
              <th scope="col">
                <input type="checkbox" aria-label="Select all shown hosts" checked={allSelected} onChange={() => setSelected(allSelected ? new Set() : new Set(order))} />
              </th>
              <SortHeader id="name" label="Name" sort={sort} onSort={sortBy} />
              {columns.map((c) => (
                <SortHeader key={c.id} id={c.id} label={c.label} sort={sort} onSort={sortBy} />
              ))}
            </tr>
          </thead>
          <tbody className="grid-body" style={{ height: order.length * ROW_H }}>
            {visible.map((id, i) => {
              const row = matrix.rows.get(id);
              return row ? <HostRow key={id} row={row} index={first + i} columns={columns} kinds={kinds} selected={selected.has(id)} onToggle={toggleRow} /> : null;
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function SortHeader({ id, label, sort, onSort }: { id: string; label: string; sort: { column: string; desc: boolean }; onSort(id: string): void }) {
  const active = sort.column === id;
  return (
    <th scope="col" aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
      <button type="button" className="sort" onClick={() => onSort(id)} title={`Sort by ${label}`}>
        {label}
        <span aria-hidden="true">{active ? (sort.desc ? ' ▼' : ' ▲') : ''}</span>
      </button>
    </th>
  );
}

const HostRow = memo(function HostRow({
  row,
  index,
  columns,
  kinds,
  selected,
  onToggle,
}: {
  row: Row;
  index: number;
  columns: { id: string; kind: boolean }[];
  kinds: string[];
  selected: boolean;
  onToggle(id: string): void;
}) {
  return (
    <tr
      className={`grid-row${selected ? ' selected' : ''}${row.enabled ? '' : ' disabled'}`}
      aria-rowindex={index + 2}
      data-host={row.name}
      style={{ transform: `translateY(${index * ROW_H}px)` }}
    >
      <td>
        <input type="checkbox" aria-label={`Select ${row.name}`} checked={selected} onChange={() => onToggle(row.id)} />
      </td>
      <td className="name">
        <Link to={`/hosts/${encodeURIComponent(row.name)}`}>{row.name}</Link>
      </td>
      {columns.map((c) => {
        if (c.kind) {
          const cell: Cell | null | undefined = row.cells[kinds.indexOf(c.id)];
          return (
            <td key={c.id} data-kind={c.id}>
              <StatusBadge status={cell?.status} summary={cell ? `${cell.checkName}: ${cell.summary}` : undefined} />
            </td>
          );
        }
        if (c.id === 'health')
          return (
            <td key="health" data-col="health">
              <StatusBadge status={row.health} summary={row.enabled ? undefined : `Disabled: ${row.disabledReason ?? ''}`} />
            </td>
          );
        if (c.id === 'address')
          return (
            <td key="address" className="mono">
              {row.address ?? ''}
            </td>
          );
        return (
          <td key="groups" className="ellipsis" title={row.groups.join(', ')}>
            {row.groups.join(', ')}
          </td>
        );
      })}
    </tr>
  );
});
