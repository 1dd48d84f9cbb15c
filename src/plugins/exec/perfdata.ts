/**
 * Nagios plugin output: "SUMMARY | perfdata" on the first line, optional long text after it, and
 * more perfdata after a '|' in the long text. Perfdata items are
 * `'label'=value[UOM];[warn];[crit];[min];[max]`, space-separated; labels with spaces are quoted and
 * a quote inside is doubled. Anything malformed is skipped, never thrown.
 */

export interface PerfDatum {
  label: string;
  value: number;
  /** Unit as printed: s, ms, us, %, B, KB, MB, GB, TB, c, or ''. */
  uom: string;
  /** Threshold ranges as printed (e.g. "10:20", "@5"), or undefined. */
  warn?: string;
  crit?: string;
  min?: number;
  max?: number;
}

export interface PluginOutput {
  summary: string;
  longText: string;
  perfdata: string;
}

export function splitPluginOutput(stdout: string): PluginOutput {
  const lines = stdout.replace(/\r\n/g, '\n').split('\n');
  const first = lines[0] ?? '';
  const pipe = first.indexOf('|');
  const summary = (pipe >= 0 ? first.slice(0, pipe) : first).trim();
  const perf: string[] = pipe >= 0 ? [first.slice(pipe + 1)] : [];
  const long: string[] = [];
  let inPerf = false;
  for (const line of lines.slice(1)) {
    if (inPerf) {
      perf.push(line);
      continue;
    }
    const p = line.indexOf('|');
    if (p >= 0) {
      long.push(line.slice(0, p));
      perf.push(line.slice(p + 1));
      inPerf = true;
    } else long.push(line);
  }
  return { summary, longText: long.join('\n').trim(), perfdata: perf.join(' ').trim() };
}

const MAX_LABEL = 200;
const VALUE = /^([-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?)([A-Za-z%]*)$/;
const NUMBER = /^[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?$/;
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** Parses up to `limit` perfdata items; a plugin that floods cannot make the result unbounded. */
export function parsePerfdata(text: string, limit = 100): PerfDatum[] {
  const out: PerfDatum[] = [];
  const n = text.length;
  let i = 0;
  while (i < n && out.length < limit) {
    while (i < n && isSpace(text[i])) i++;
    if (i >= n) break;
    let label = '';
    if (text[i] === "'") {
      let j = i + 1;
      let closed = false;
      while (j < n) {
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            label += "'";
            j += 2;
            continue;
          }
          closed = true;
          break;
        }
        label += text[j];
        j++;
      }
      if (!closed) break; // unterminated quote: the rest is garbage
      i = j + 1;
    } else {
      let j = i;
      while (j < n && text[j] !== '=' && !isSpace(text[j])) j++;
      label = text.slice(i, j);
      i = j;
    }
    if (text[i] !== '=' || label.length === 0 || label.length > MAX_LABEL) {
      while (i < n && !isSpace(text[i])) i++; // skip this garbage token
      continue;
    }
    i++;
    const start = i;
    while (i < n && !isSpace(text[i])) i++;
    const datum = parseValue(label, text.slice(start, i));
    if (datum) out.push(datum);
  }
  return out;
}

function parseValue(label: string, token: string): PerfDatum | null {
  const [value = '', warn, crit, min, max] = token.split(';');
  const m = VALUE.exec(value);
  if (!m) return null; // includes 'U' (value unknown)
  const num = toNumber(m[1] ?? '');
  if (num === undefined) return null;
  const datum: PerfDatum = { label, value: num, uom: m[2] ?? '' };
  if (warn) datum.warn = warn;
  if (crit) datum.crit = crit;
  const mn = min && NUMBER.test(min) ? toNumber(min) : undefined;
  const mx = max && NUMBER.test(max) ? toNumber(max) : undefined;
  if (mn !== undefined) datum.min = mn;
  if (mx !== undefined) datum.max = mx;
  return datum;
}

function toNumber(s: string): number | undefined {
  const x = Number(s.replace(',', '.')); // some plugins print a locale decimal comma
  return Number.isFinite(x) ? x : undefined;
}

/** Metrics keyed by label, values as the plugin printed them (its unit); the first of duplicate labels wins. */
export function perfdataToMetrics(data: readonly PerfDatum[]): Record<string, number> {
  // A Map, then fromEntries: labels such as "__proto__" or "constructor" stay plain keys.
  const metrics = new Map<string, number>();
  for (const d of data) if (!metrics.has(d.label)) metrics.set(d.label, d.value);
  return Object.fromEntries(metrics);
}
