/**
 * Check kind `ipmi`: is the BMC reachable, what is the chassis power state, and optionally are the
 * sensors healthy. Power off is OK (it may be intended); the API shows it and the recommendation
 * engine decides what it means.
 */
import { z } from 'zod';
import type { CommandRunner } from '../../core/command.js';
import type { CheckContext, CheckKind, CheckOutcome, CheckStatus, HostTarget } from '../../core/plugin.js';
import { type IpmiFailureKind, runIpmitool } from './ipmitool.js';
import { readPowerState } from './power.js';
import { rememberPowerState } from './power-history.js';
import { describeProblems, parseSdrElist } from './sensors.js';
import { resolveBmc } from './settings.js';

export const ipmiCheckParams = z.object({
  /** Also read `sdr elist` and turn crossed thresholds into WARN/CRIT. */
  sensors: z.boolean().default(false),
});
export type IpmiCheckParams = z.output<typeof ipmiCheckParams>;

// A BMC that refuses us is a real problem (CRIT); one we cannot reach at all is UNKNOWN.
const STATUS_BY_FAILURE: Record<IpmiFailureKind, CheckStatus> = {
  auth: 'CRIT',
  privilege: 'CRIT',
  cipher: 'CRIT',
  unreachable: 'UNKNOWN',
  tool: 'UNKNOWN',
  other: 'UNKNOWN',
};

/** `run` is the plugin's session-limited runner; ctx.run is deliberately not used directly. */
export function createIpmiCheck(limitedRun: (ctx: CheckContext) => CommandRunner): CheckKind<IpmiCheckParams> {
  return {
    description: 'BMC reachable over IPMI (lanplus), chassis power state, optionally sensor thresholds',
    params: ipmiCheckParams,
    defaults: { intervalS: 60, timeoutS: 15 },
    run: (targets, params, ctx) => {
      const run = limitedRun(ctx);
      const deadline = performance.now() + ctx.timeoutMs;
      return Promise.all(targets.map((t) => checkOne(t, params, ctx, run, deadline)));
    },
  };
}

async function checkOne(
  target: HostTarget,
  params: IpmiCheckParams,
  ctx: CheckContext,
  run: CommandRunner,
  deadline: number,
): Promise<CheckOutcome> {
  const started = performance.now();
  const outcome = (status: CheckStatus, summary: string, metrics?: Record<string, number>): CheckOutcome => ({
    hostId: target.id,
    status,
    summary,
    metrics,
    durationMs: Math.round(performance.now() - started),
  });
  const resolved = resolveBmc(target);
  if (!resolved.ok) return outcome('UNKNOWN', resolved.message);
  const bmc = resolved.bmc;
  const remaining = () => Math.max(100, deadline - performance.now());

  const power = await readPowerState(run, bmc, { signal: ctx.signal, timeoutMs: remaining() });
  if (!power.ok) return outcome(STATUS_BY_FAILURE[power.kind], power.message);
  await rememberPowerState(ctx.state, target.id, power.state, ctx.now());
  const metrics: Record<string, number> = { power: power.state === 'on' ? 1 : 0, responseMs: Math.round(power.durationMs) };
  const summary = `power ${power.state}`;
  if (!params.sensors) return outcome('OK', summary, metrics);

  // Not verbose: -v turns the one-line-per-sensor table into multi-line records.
  const sdr = await runIpmitool(run, bmc, ['sdr', 'elist'], { signal: ctx.signal, timeoutMs: remaining(), verbose: false });
  if (!sdr.ok) return outcome('UNKNOWN', `${summary}; sensors unreadable: ${sdr.message}`, metrics);
  const health = parseSdrElist(sdr.stdout);
  metrics.sensors = health.total;
  metrics.sensorsWarning = health.warning.length;
  metrics.sensorsCritical = health.critical.length;
  if (health.critical.length > 0) {
    return outcome('CRIT', `${summary}; ${health.critical.length} sensor(s) critical: ${describeProblems(health.critical)}`, metrics);
  }
  if (health.warning.length > 0) {
    return outcome('WARN', `${summary}; ${health.warning.length} sensor(s) warning: ${describeProblems(health.warning)}`, metrics);
  }
  if (health.total === 0) return outcome('OK', `${summary}; the BMC lists no sensors`, metrics);
  return outcome('OK', `${summary}; sensors ok (${health.total})`, metrics);
}
