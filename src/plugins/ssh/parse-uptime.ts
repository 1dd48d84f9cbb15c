/** Parses /proc/uptime, /proc/loadavg, `getconf _NPROCESSORS_ONLN` and, as a fallback, `uptime` output. */

export interface Load {
  load1: number;
  load5: number;
  load15: number;
}

export class UptimeParseError extends Error {
  override name = 'UptimeParseError';
}

const NUM = /^\d+(?:\.\d+)?$/;

function num(s: string | undefined, what: string): number {
  if (s === undefined || !NUM.test(s)) throw new UptimeParseError(`unexpected ${what}: ${JSON.stringify((s ?? '').slice(0, 40))}`);
  return Number(s);
}

/** "350735.47 234388.90" → 350735.47 */
export function parseProcUptime(text: string): number {
  return num(text.trim().split(/\s+/)[0], '/proc/uptime');
}

/** "0.10 0.20 0.30 1/234 5678" → loads */
export function parseProcLoadavg(text: string): Load {
  const f = text.trim().split(/\s+/);
  return { load1: num(f[0], '/proc/loadavg'), load5: num(f[1], '/proc/loadavg'), load15: num(f[2], '/proc/loadavg') };
}

export function parseCpuCount(text: string): number | null {
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The pieces of "up 12 days,  3:04" and friends, each with its value in seconds. */
const DURATION_PARTS: Array<[RegExp, (m: RegExpExecArray) => number]> = [
  [/^(\d+)\s+days?$/, (m) => Number(m[1]) * 86400],
  [/^(\d+):(\d{2})$/, (m) => Number(m[1]) * 3600 + Number(m[2]) * 60],
  [/^(\d+)\s+(?:min|mins|minutes?)$/, (m) => Number(m[1]) * 60],
  [/^(\d+)\s+(?:hrs?|hours?)$/, (m) => Number(m[1]) * 3600],
  [/^(\d+)\s+secs?$/, (m) => Number(m[1])],
];

/**
 * `uptime` as printed by procps, BSD and busybox:
 * " 13:45:01 up 12 days,  3:04,  2 users,  load average: 0.10, 0.20, 0.30"
 * "10:01  up 3 mins, 1 user, load averages: 1.92 2.10 2.07"
 * Minutes-level precision only, which is why /proc/uptime is preferred.
 */
export function parseUptimeOutput(text: string): { uptimeS: number } & Load {
  const line = text.trim();
  const up = /\bup\s+(.*?),?\s+(?:\d+\s+users?|load averages?:)/.exec(line);
  const load = /load averages?:\s*(\d+(?:\.\d+)?),?\s+(\d+(?:\.\d+)?),?\s+(\d+(?:\.\d+)?)/.exec(line);
  if (!up || !load) throw new UptimeParseError(`unexpected uptime output: ${JSON.stringify(line.slice(0, 80))}`);
  let seconds = 0;
  let matched = false;
  for (const part of (up[1] as string).split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const unit = DURATION_PARTS.find(([re]) => re.test(part));
    if (!unit) throw new UptimeParseError(`unexpected uptime duration: ${JSON.stringify(part)}`);
    seconds += unit[1](unit[0].exec(part) as RegExpExecArray);
    matched = true;
  }
  if (!matched) throw new UptimeParseError(`unexpected uptime output: ${JSON.stringify(line.slice(0, 80))}`);
  return { uptimeS: seconds, load1: Number(load[1]), load5: Number(load[2]), load15: Number(load[3]) };
}

/** 1_054_000 → "12 days 4:46"; 300 → "5 min" */
export function formatUptime(seconds: number): string {
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (days === 0 && h === 0) return `${m} min`;
  const hm = `${h}:${String(m).padStart(2, '0')}`;
  return days === 0 ? hm : `${days} day${days === 1 ? '' : 's'} ${hm}`;
}
