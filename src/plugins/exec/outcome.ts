/**
 * Maps one finished plugin run to a check outcome: exit 0/1/2/3 → OK/WARN/CRIT/UNKNOWN (Nagios),
 * anything else UNKNOWN; the first line of stdout before '|' is the summary; perfdata → metrics.
 *
 * A run killed at its timeout is CRIT, as Nagios Core does by default (service_check_timeout_state=c)
 * and as the monitoring-plugins report their own socket timeouts: a host that makes its check hang
 * needs attention, and UNKNOWN would hide it among misconfigured checks.
 */
import type { CommandResult } from '../../core/command.js';
import type { CheckOutcome, CheckStatus } from '../../core/plugin.js';
import { STATUS_BY_EXIT_CODE } from '../../core/plugin.js';
import { parsePerfdata, perfdataToMetrics, splitPluginOutput } from './perfdata.js';

const MAX_SUMMARY = 300;

export function outcomeFromRun(
  hostId: string,
  programName: string,
  res: CommandResult,
  how: { timeoutMs: number; aborted: boolean },
): CheckOutcome {
  const durationMs = Math.round(res.durationMs);
  const fail = (status: CheckStatus, summary: string): CheckOutcome => ({ hostId, status, summary: clip(summary), durationMs });

  if (res.spawnError) return fail('UNKNOWN', `could not run ${programName}: ${res.spawnError}`);
  if (res.timedOut) {
    // An abort that lands together with this run's own timeout still counts as the timeout.
    return how.aborted && res.durationMs < how.timeoutMs - 50
      ? fail('UNKNOWN', `${programName} was stopped: the check was aborted`)
      : fail('CRIT', `${programName} timed out after ${formatSeconds(how.timeoutMs)}s`);
  }
  if (res.code === null) return fail('UNKNOWN', `${programName} was killed by a signal`);

  const out = splitPluginOutput(res.stdout);
  const metrics = perfdataToMetrics(parsePerfdata(out.perfdata));
  const hasMetrics = Object.keys(metrics).length > 0;
  const text = out.summary || firstLine(res.stderr);
  const known = STATUS_BY_EXIT_CODE[res.code];
  const status: CheckStatus = known ?? 'UNKNOWN';
  let summary = text || `${programName} printed nothing (exit ${res.code})`;
  if (!known) summary = `${programName} exited with code ${res.code}${text ? `: ${text}` : ''}`;
  return { hostId, status, summary: clip(summary), ...(hasMetrics ? { metrics } : {}), durationMs };
}

const firstLine = (s: string) => (s.trim().split('\n')[0] ?? '').trim();
const clip = (s: string) => {
  const oneLine = s.replace(/[\r\n\t]+/g, ' ').replace(/[\x00-\x1f\x7f]/g, '?');
  return oneLine.length > MAX_SUMMARY ? `${oneLine.slice(0, MAX_SUMMARY - 1)}…` : oneLine;
};
const formatSeconds = (ms: number) => String(Math.round(ms / 100) / 10);
