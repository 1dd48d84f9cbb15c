/** `uptime`: uptime and load over the shared SSH connection; WARN on a recent reboot or high load per CPU. */
import { z } from 'zod';
import type { CheckKind } from '../../core/plugin.js';
import { connectTarget, notMeasured } from './connect-target.js';
import { formatUptime, type Load, parseCpuCount, parseProcLoadavg, parseProcUptime, parseUptimeOutput, UptimeParseError } from './parse-uptime.js';
import type { Measured } from './per-target.js';
import { perTarget } from './per-target.js';
import type { SshSessionPool } from './session-pool.js';
import { REMOTE_COMMANDS, type SshSession, formatSeconds } from './session.js';

export const uptimeCheckParams = z
  .object({
    /** WARN when the host has been up for less than this many seconds (it rebooted recently). */
    warnBelowS: z.number().positive().optional(),
    /** WARN when the 5-minute load divided by the CPU count exceeds this. */
    maxLoadPerCpu: z.number().positive().optional(),
    /** CRIT when the 5-minute load per CPU exceeds this. */
    critLoadPerCpu: z.number().positive().optional(),
  })
  .refine((p) => p.maxLoadPerCpu === undefined || p.critLoadPerCpu === undefined || p.maxLoadPerCpu <= p.critLoadPerCpu, {
    message: 'maxLoadPerCpu must not exceed critLoadPerCpu',
  });
export type UptimeCheckParams = z.infer<typeof uptimeCheckParams>;

export interface UptimeFigures extends Load {
  uptimeS: number;
  cpus: number | null;
}

type Read = { ok: true; figures: UptimeFigures } | { ok: false; status: 'CRIT' | 'UNKNOWN'; summary: string };

/** Reads the figures: /proc for precision, `uptime` where there is no /proc. */
export async function readUptime(session: SshSession, deadline: number, signal?: AbortSignal): Promise<Read> {
  const left = () => Math.max(1, deadline - performance.now());
  const [up, load, cpus] = await Promise.all([
    session.exec(REMOTE_COMMANDS.procUptime, left(), signal),
    session.exec(REMOTE_COMMANDS.procLoadavg, left(), signal),
    session.exec(REMOTE_COMMANDS.cpuCount, left(), signal),
  ]);
  if (up.timedOut || load.timedOut) return { ok: false, status: 'CRIT', summary: `no answer to uptime within ${formatSeconds(up.durationMs)}` };
  const cpuCount = cpus.code === 0 ? parseCpuCount(cpus.stdout) : null;
  try {
    if (up.code === 0 && load.code === 0) {
      return { ok: true, figures: { uptimeS: parseProcUptime(up.stdout), ...parseProcLoadavg(load.stdout), cpus: cpuCount } };
    }
    const u = await session.exec(REMOTE_COMMANDS.uptime, left(), signal);
    if (u.timedOut) return { ok: false, status: 'CRIT', summary: `no answer to uptime within ${formatSeconds(u.durationMs)}` };
    if (u.code !== 0) {
      const why = (u.stderr || up.stderr).trim().split('\n')[0] || `exit code ${u.code}`;
      return { ok: false, status: 'UNKNOWN', summary: `uptime failed: ${why.slice(0, 200)}` };
    }
    return { ok: true, figures: { ...parseUptimeOutput(u.stdout), cpus: cpuCount } };
  } catch (e) {
    if (e instanceof UptimeParseError) return { ok: false, status: 'UNKNOWN', summary: e.message };
    throw e;
  }
}

export function judgeUptime(f: UptimeFigures, p: UptimeCheckParams): Measured {
  const loads = `load ${f.load1.toFixed(2)} ${f.load5.toFixed(2)} ${f.load15.toFixed(2)}`;
  const cpus = f.cpus ? ` on ${f.cpus} CPU${f.cpus === 1 ? '' : 's'}` : '';
  const problems: string[] = [];
  let status: Measured['status'] = 'OK';
  const raise = (s: 'WARN' | 'CRIT') => {
    if (s === 'CRIT' || status === 'OK') status = s;
  };
  if (p.warnBelowS !== undefined && f.uptimeS < p.warnBelowS) {
    raise('WARN');
    problems.push(`rebooted ${formatUptime(f.uptimeS)} ago`);
  }
  if (f.cpus && (p.maxLoadPerCpu !== undefined || p.critLoadPerCpu !== undefined)) {
    const perCpu = f.load5 / f.cpus;
    if (p.critLoadPerCpu !== undefined && perCpu > p.critLoadPerCpu) {
      raise('CRIT');
      problems.push(`5-min load ${perCpu.toFixed(2)} per CPU (CRIT >${p.critLoadPerCpu})`);
    } else if (p.maxLoadPerCpu !== undefined && perCpu > p.maxLoadPerCpu) {
      raise('WARN');
      problems.push(`5-min load ${perCpu.toFixed(2)} per CPU (WARN >${p.maxLoadPerCpu})`);
    }
  }
  const metrics: Record<string, number> = { uptime_s: f.uptimeS, load1: f.load1, load5: f.load5, load15: f.load15 };
  if (f.cpus) metrics.cpus = f.cpus;
  const base = `up ${formatUptime(f.uptimeS)}, ${loads}${cpus}`;
  return { status, summary: problems.length ? `${problems.join(', ')}; ${base}` : base, metrics };
}

export function uptimeCheck(pool: SshSessionPool): CheckKind<UptimeCheckParams> {
  return {
    description: 'Uptime and load average over SSH (/proc/uptime, /proc/loadavg); WARN after a recent reboot or on high load per CPU.',
    params: uptimeCheckParams,
    defaults: { intervalS: 300, timeoutS: 15 },
    run: (targets, params, ctx) =>
      perTarget(targets, ctx, async (target, deadline) => {
        const c = await connectTarget(target, pool, ctx.state, {
          budgetMs: (deadline - performance.now()) * 0.7,
          signal: ctx.signal,
          now: () => ctx.now(),
        });
        if (!c.ok) return notMeasured(c.kind, c.message);
        try {
          const r = await readUptime(c.lease.session, deadline, ctx.signal);
          return r.ok ? judgeUptime(r.figures, params) : { status: r.status, summary: r.summary };
        } finally {
          c.lease.release();
        }
      }),
  };
}
