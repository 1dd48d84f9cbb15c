/**
 * Parses fping's per-target summaries into loss and RTT. Understands the `-C` form
 * ("10.0.0.1 : 0.04 - 0.05") and, for robustness, the `-c` form
 * ("10.0.0.1 : xmt/rcv/%loss = 3/2/33%, min/avg/max = 0.04/0.05/0.06").
 * Any other line (error messages, per-probe chatter, garbage) is ignored.
 */

export interface PingStats {
  sent: number;
  received: number;
  lossPct: number;
  /** Present only when at least one reply came back. */
  rttMinMs?: number;
  rttAvgMs?: number;
  rttMaxMs?: number;
}

const COUNT_FORM = /^xmt\/rcv\/%loss = (\d+)\/(\d+)\/\d+%(?:, min\/avg\/max = ([\d.]+)\/([\d.]+)\/([\d.]+))?$/;

export function parseFpingOutput(text: string): Map<string, PingStats> {
  const results = new Map<string, PingStats>();
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' : ');
    if (sep <= 0) continue;
    const target = line.slice(0, sep).trim();
    const rest = line.slice(sep + 3).trim();
    const stats = parseProbes(rest) ?? parseCountSummary(rest);
    if (target && stats) results.set(target, stats);
  }
  return results;
}

/** "-C" form: one token per probe, an RTT in ms or '-' for a lost probe. */
function parseProbes(rest: string): PingStats | null {
  if (rest.length === 0) return null;
  const tokens = rest.split(/\s+/);
  let received = 0;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (const tok of tokens) {
    if (tok === '-') continue;
    const rtt = Number(tok);
    if (!Number.isFinite(rtt) || rtt < 0 || !/^[\d.]+$/.test(tok)) return null;
    received += 1;
    sum += rtt;
    if (rtt < min) min = rtt;
    if (rtt > max) max = rtt;
  }
  const sent = tokens.length;
  const stats: PingStats = { sent, received, lossPct: lossPct(sent, received) };
  if (received > 0) {
    stats.rttMinMs = min;
    stats.rttAvgMs = round3(sum / received);
    stats.rttMaxMs = max;
  }
  return stats;
}

function parseCountSummary(rest: string): PingStats | null {
  const m = COUNT_FORM.exec(rest);
  if (!m) return null;
  const sent = Number(m[1]);
  const received = Math.min(Number(m[2]), sent);
  if (sent === 0) return null;
  const stats: PingStats = { sent, received, lossPct: lossPct(sent, received) };
  if (m[3] !== undefined && received > 0) {
    stats.rttMinMs = Number(m[3]);
    stats.rttAvgMs = Number(m[4]);
    stats.rttMaxMs = Number(m[5]);
  }
  return stats;
}

const lossPct = (sent: number, received: number) => Math.round(((sent - received) / sent) * 10_000) / 100;
const round3 = (x: number) => Math.round(x * 1000) / 1000;
