/**
 * The hosts × checks matrix behind the hosts table, kept outside React: loaded once from
 * `status`, then patched in place by subscription events. Events are queued and applied once
 * per animation frame, so 100 updates a second cost one render a frame, not a hundred.
 */
export type CheckStatus = 'OK' | 'WARN' | 'CRIT' | 'UNKNOWN';
export type Health = CheckStatus | 'DISABLED';

export interface Cell {
  kind: string;
  checkName: string;
  status: CheckStatus;
  summary: string;
  since: string;
  observedAt: string;
}
export interface HostFields {
  id: string;
  name: string;
  address: string | null;
  enabled: boolean;
  disabledReason: string | null;
  groups: { name: string }[];
}
export interface Row {
  id: string;
  name: string;
  address: string | null;
  enabled: boolean;
  disabledReason: string | null;
  groups: string[];
  health: Health;
  /** Aligned with HostMatrix.kinds; null where the host has no state for that kind. */
  cells: (Cell | null)[];
}
export interface StatusData {
  kinds: string[];
  rows: { host: HostFields; health: Health; cells: (Cell | null)[] }[];
}
export type HostEvent = { type: 'host'; host: HostFields & { health: Health } } | { type: 'cell'; cell: Cell & { host: { id: string; name: string; health: Health } } };

export interface MatrixChange {
  /** Something arrived that the loaded matrix cannot place (a new host or check kind): refetch. */
  unknown: boolean;
  /** Columns that changed in this frame: 'health', 'enabled', or a kind. */
  columns: Set<string>;
}

const toRow = (h: HostFields, health: Health, cells: (Cell | null)[]): Row => ({
  id: h.id,
  name: h.name,
  address: h.address,
  enabled: h.enabled,
  disabledReason: h.disabledReason,
  groups: h.groups.map((g) => g.name),
  health,
  cells,
});

export class HostMatrix {
  kinds: string[] = [];
  rows = new Map<string, Row>();
  /** Bumped on every applied frame; React reads it through useSyncExternalStore. */
  version = 0;
  private queue: HostEvent[] = [];
  private frame: number | null = null;
  private listeners = new Set<(c: MatrixChange) => void>();

  load(data: StatusData): void {
    this.kinds = data.kinds;
    const rows = new Map<string, Row>();
    for (const r of data.rows) rows.set(r.host.id, toRow(r.host, r.health, r.cells));
    this.rows = rows;
    this.version++;
    this.emit({ unknown: false, columns: new Set(['*']) });
  }

  push(event: HostEvent): void {
    this.queue.push(event);
    if (this.frame === null) this.frame = requestAnimationFrame(() => this.flush());
  }

  subscribe(listener: (c: MatrixChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Drops queued events (the page is going away). */
  dispose(): void {
    if (this.frame !== null) cancelAnimationFrame(this.frame);
    this.frame = null;
    this.queue.length = 0;
  }

  /** Applies every queued event; each changed row is replaced (not mutated) so memoised rows re-render. */
  flush(): void {
    this.frame = null;
    const events = this.queue.splice(0);
    if (events.length === 0) return;
    const change: MatrixChange = { unknown: false, columns: new Set() };
    for (const e of events) {
      if (e.type === 'host') {
        const old = this.rows.get(e.host.id);
        if (!old) {
          change.unknown = true;
          continue;
        }
        const next = toRow(e.host, e.host.health, old.cells);
        if (next.health !== old.health) change.columns.add('health');
        if (next.enabled !== old.enabled) change.columns.add('enabled');
        this.rows.set(old.id, next);
      } else {
        const old = this.rows.get(e.cell.host.id);
        const col = this.kinds.indexOf(e.cell.kind);
        if (!old || col < 0) {
          change.unknown = true;
          continue;
        }
        const { host, ...cell } = e.cell;
        const cells = old.cells.slice();
        cells[col] = cell;
        if (host.health !== old.health) change.columns.add('health');
        this.rows.set(old.id, { ...old, cells, health: host.health });
        change.columns.add(cell.kind);
      }
    }
    this.version++;
    this.emit(change);
  }

  private emit(c: MatrixChange): void {
    for (const l of this.listeners) l(c);
  }
}

const HEALTH_RANK: Record<string, number> = { OK: 0, DISABLED: 1, UNKNOWN: 2, WARN: 3, CRIT: 4 };
const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

export interface View {
  group: string;
  health: Set<string>;
  search: string;
  sort: { column: string; desc: boolean };
}

/** The ids to show, filtered and sorted; a column is 'name', 'address', 'groups', 'health' or a kind. */
export function selectRows(m: HostMatrix, v: View): string[] {
  const q = v.search.trim().toLowerCase();
  const out: Row[] = [];
  for (const r of m.rows.values()) {
    if (v.group && !r.groups.includes(v.group)) continue;
    if (v.health.size > 0 && !v.health.has(r.health)) continue;
    if (q && !r.name.toLowerCase().includes(q) && !(r.address ?? '').toLowerCase().includes(q)) continue;
    out.push(r);
  }
  const { column, desc } = v.sort;
  const kindIndex = m.kinds.indexOf(column);
  const key: (r: Row) => number | string =
    column === 'health'
      ? (r) => HEALTH_RANK[r.health] ?? 0
      : kindIndex >= 0
        ? (r) => {
            const c = r.cells[kindIndex];
            return c ? (HEALTH_RANK[c.status] ?? 0) : -1;
          }
        : column === 'address'
          ? (r) => r.address ?? ''
          : column === 'groups'
            ? (r) => r.groups.join(',')
            : (r) => r.name;
  const dir = desc ? -1 : 1;
  out.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : collator.compare(String(ka), String(kb));
    return c !== 0 ? c * dir : collator.compare(a.name, b.name);
  });
  return out.map((r) => r.id);
}
