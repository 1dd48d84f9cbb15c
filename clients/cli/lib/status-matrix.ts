/** The hosts × checks matrix, shared by `status` and `watch`: fetched in one call, rendered as a table. */
import { type Api, ApiError } from './api.js';
import { listHosts } from './hosts-query.js';
import { type Column, type Output, statusColour } from './output.js';

export interface Cell {
  kind?: string;
  status: string;
  summary: string;
  observedAt?: string;
}
export interface Row {
  host: string;
  enabled: boolean;
  health: string;
  cells: (Cell | null)[];
}
export interface Matrix {
  kinds: string[];
  rows: Row[];
  /** Suspect-monitor alerts of the last hour, newest first: the table may understate a failure. */
  monitorAlerts?: string[];
}

export async function fetchMatrix(api: Api, groups: string[] | undefined, checks: string[] | undefined): Promise<Matrix> {
  try {
    const data = await api.request<{
      status: { kinds: string[]; rows: { host: { name: string; enabled: boolean }; health: string; cells: (Cell | null)[] }[] };
      monitorAlerts: { message: string }[];
    }>(
      `query($g: [String!], $c: [String!]) { status(groups: $g, checks: $c) {
        kinds rows { host { name enabled } health cells { kind status summary observedAt } } } monitorAlerts { message } }`,
      { g: groups, c: checks },
    );
    return {
      kinds: data.status.kinds,
      rows: data.status.rows.map((r) => ({ host: r.host.name, enabled: r.host.enabled, health: r.health, cells: r.cells })),
      monitorAlerts: data.monitorAlerts.map((a) => a.message),
    };
  } catch (e) {
    // A server without Query.status: build the same matrix from hosts and their check states.
    if (!(e instanceof ApiError && e.missingField('status'))) throw e;
  }
  const hosts = await listHosts<{ name: string; enabled: boolean; health: string; checks: Cell[] }>(
    api,
    groups ? { groups } : undefined,
    'name enabled health checks { kind status summary observedAt }',
  );
  const kinds = [...new Set(hosts.flatMap((h) => h.checks.map((c) => c.kind!)))].filter((k) => !checks || checks.includes(k)).sort();
  return {
    kinds,
    rows: hosts.map((h) => ({ host: h.name, enabled: h.enabled, health: h.health, cells: kinds.map((k) => h.checks.find((c) => c.kind === k) ?? null) })),
  };
}

export function matrixColumns(m: Matrix): Column<Row>[] {
  return [
    { header: 'HOST', value: (r) => r.host },
    { header: 'HEALTH', value: (r) => r.health, colour: (r) => statusColour(r.health) },
    ...m.kinds.map(
      (k, i): Column<Row> => ({
        header: k.toUpperCase(),
        value: (r) => r.cells[i]?.status ?? '-',
        colour: (r) => statusColour(r.cells[i]?.status),
      }),
    ),
  ];
}

/** --json shape: one object per host with its checks by kind (null where the host has none). */
export function matrixJson(m: Matrix) {
  return {
    kinds: m.kinds,
    rows: m.rows.map((r) => ({
      host: r.host,
      enabled: r.enabled,
      health: r.health,
      checks: Object.fromEntries(m.kinds.map((k, i) => [k, r.cells[i] ? { status: r.cells[i]!.status, summary: r.cells[i]!.summary, observedAt: r.cells[i]!.observedAt } : null])),
    })),
  };
}

export function healthSummary(out: Output, m: Matrix): string {
  const counts = new Map<string, number>();
  for (const r of m.rows) counts.set(r.health, (counts.get(r.health) ?? 0) + 1);
  const parts = ['OK', 'WARN', 'CRIT', 'UNKNOWN', 'DISABLED'].filter((h) => counts.get(h)).map((h) => out.paint(`${counts.get(h)} ${h}`, statusColour(h)));
  return `${m.rows.length} host${m.rows.length === 1 ? '' : 's'}: ${parts.join(', ') || 'none'}`;
}
