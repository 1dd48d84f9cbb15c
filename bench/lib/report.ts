/** Percentiles and the summary table every benchmark prints. */
import { cpus, loadavg } from 'node:os';

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export function summarize(samples: number[]): { p50: number; p99: number; mean: number; n: number } {
  const s = [...samples].sort((a, b) => a - b);
  return { p50: percentile(s, 50), p99: percentile(s, 99), mean: s.reduce((a, b) => a + b, 0) / Math.max(1, s.length), n: s.length };
}

export interface Row {
  name: string;
  measured: number;
  baseline: number;
  unit: string;
  /** Target as a maximum ratio (measured / baseline ≤ maxRatio), or an absolute limit. */
  maxRatio?: number;
  maxAbsolute?: number;
  note?: string;
}

const fmt = (n: number) => (Number.isNaN(n) ? 'n/a' : Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));

export function verdict(r: Row): { ratio: number; target: string; pass: boolean } {
  const ratio = r.baseline > 0 ? r.measured / r.baseline : Number.NaN;
  if (r.maxRatio !== undefined) return { ratio, target: `≤ ${r.maxRatio}x`, pass: ratio <= r.maxRatio };
  if (r.maxAbsolute !== undefined) return { ratio, target: `≤ ${r.maxAbsolute} ${r.unit}`, pass: r.measured <= r.maxAbsolute };
  return { ratio, target: '(info)', pass: true };
}

export function printTable(title: string, rows: Row[]): void {
  const lines = rows.map((r) => {
    const v = verdict(r);
    const status = r.maxRatio === undefined && r.maxAbsolute === undefined ? 'INFO' : v.pass ? 'PASS' : 'MISS';
    return [r.name, `${fmt(r.measured)} ${r.unit}`, r.baseline ? `${fmt(r.baseline)} ${r.unit}` : '-', r.baseline ? `${fmt(v.ratio)}x` : '-', v.target, status, r.note ?? ''];
  });
  const header = ['measure', 'measured', 'baseline', 'ratio', 'target', 'result', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const row = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  process.stdout.write(`\n=== ${title} — ${new Date().toISOString()} — ${cpus().length} cores, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} ===\n`);
  process.stdout.write(`${row(header)}\n${widths.map((w) => '-'.repeat(w)).join('-|-')}\n`);
  for (const l of lines) process.stdout.write(`${row(l)}\n`);
}

export const log = (msg: string) => process.stdout.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
