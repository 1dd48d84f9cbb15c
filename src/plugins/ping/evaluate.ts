/** Turns one target's fping statistics into a status, a one-line summary and metrics. */
import type { CheckStatus } from '../../core/plugin.js';
import type { PingStats } from './parse.js';

export interface PingThresholds {
  warnLossPct: number;
  critLossPct: number;
  warnRttMs?: number;
  critRttMs?: number;
}

export interface PingVerdict {
  status: CheckStatus;
  summary: string;
  metrics: Record<string, number>;
}

const RANK: Record<CheckStatus, number> = { OK: 0, WARN: 1, UNKNOWN: 2, CRIT: 3 };
const worse = (a: CheckStatus, b: CheckStatus) => (RANK[b] > RANK[a] ? b : a);

/** Thresholds are inclusive, as in check_ping: loss >= critLossPct is CRIT; RTT compares the average. */
export function evaluatePing(stats: PingStats, t: PingThresholds): PingVerdict {
  const metrics: Record<string, number> = { loss_pct: stats.lossPct };
  if (stats.received === 0) {
    const status: CheckStatus = stats.lossPct >= t.critLossPct ? 'CRIT' : stats.lossPct >= t.warnLossPct ? 'WARN' : 'OK';
    return { status, summary: `100% loss (no reply to ${stats.sent} ${plural(stats.sent, 'probe')})`, metrics };
  }
  const avg = stats.rttAvgMs ?? 0;
  metrics.rtt_avg_ms = avg;
  metrics.rtt_min_ms = stats.rttMinMs ?? avg;
  metrics.rtt_max_ms = stats.rttMaxMs ?? avg;

  let status: CheckStatus = 'OK';
  const notes: string[] = [];
  const lost = stats.sent - stats.received;
  if (lost > 0) notes.push(`${lost} of ${stats.sent} ${plural(stats.sent, 'probe')} lost`);
  if (stats.lossPct >= t.critLossPct) status = worse(status, 'CRIT');
  else if (stats.lossPct >= t.warnLossPct) status = worse(status, 'WARN');
  if (t.critRttMs !== undefined && avg >= t.critRttMs) {
    status = worse(status, 'CRIT');
    notes.push(`rtt at or above crit ${t.critRttMs} ms`);
  } else if (t.warnRttMs !== undefined && avg >= t.warnRttMs) {
    status = worse(status, 'WARN');
    notes.push(`rtt at or above warn ${t.warnRttMs} ms`);
  }
  const head = `${stats.lossPct}% loss, rtt ${formatMs(avg)} ms`;
  return { status, summary: notes.length > 0 ? `${head} (${notes.join('; ')})` : head, metrics };
}

export function formatMs(ms: number): string {
  if (ms < 1) return String(Math.round(ms * 1000) / 1000);
  if (ms < 10) return ms.toFixed(2);
  if (ms < 100) return ms.toFixed(1);
  return ms.toFixed(0);
}

const plural = (n: number, word: string) => (n === 1 ? word : `${word}s`);
