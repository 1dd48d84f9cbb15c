/**
 * The repair loop (bofhbot's): drain a Slurm node with a reason, power cycle it through its BMC,
 * then — in the background — wait until its ping and ssh checks pass and resume it. A node that
 * does not come back in time stays drained, its reason saying so. Every step goes through
 * runHostAction (grants, recommendation gate, cooldown, intent/outcome audit); the actions are
 * named by id only, so core imports no plugin. A final `repair.cycle-and-resume` event records
 * what happened to each host.
 */
import { writeAudit } from '../audit.js';
import type { Principal } from '../auth/principal.js';
import { CorralError, ValidationError } from '../errors.js';
import { type HostRow, selectHosts } from '../inventory/select-hosts.js';
import { type ActionDeps, type ActionResult, runHostAction } from './run-action.js';

export const REPAIR_ACTION = 'repair.cycle-and-resume';
const DRAIN = 'slurm.drain';
const POWER = 'ipmi.power';
const RESUME = 'slurm.resume';
/** The probes that must pass before a cycled node goes back to work. */
const PROBE_KINDS = ['ping', 'ssh'];
const DEFAULT_TIMEOUT_S = 600;
const POLL_MS = 10_000;
// Slurm keeps reasons up to 1000 characters (sinfo plugin's MAX_REASON); leave room for the note.
const MAX_BASE_REASON = 800;

export interface CycleAndResumeDeps extends ActionDeps {
  /** Runs the named check kinds on the hosts now (the scheduler's runNow) and returns each outcome. */
  checksNow(hostRows: HostRow[], kinds: string[]): Promise<{ host: string; kind: string; status: string; summary: string }[]>;
  /** Stops the background wait (server shutdown). */
  signal?: AbortSignal;
}

export interface CycleAndResumeRequest {
  hosts: string[];
  reason: string;
  /** Admin only: cycle even without a POWER_CYCLE recommendation (e.g. a busy node) or within the cooldown. */
  force?: boolean | null;
  /** How long to wait for ping and ssh to pass after the cycle. Default 600 s. */
  timeoutS?: number | null;
  /** Between probe rounds; default min(10 s, timeoutS / 4) so a short timeout still gets several tries. */
  pollMs?: number;
  requestId?: string;
}

export interface RepairHostOutcome {
  host: string;
  drained: boolean;
  cycled: boolean;
  resumed: boolean;
  message: string;
}

export interface CycleAndResumeResult extends ActionResult {
  /** Settles when every host was resumed or left drained and the final audit event is written. */
  finished: Promise<RepairHostOutcome[]>;
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    t.unref?.();
    signal?.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });

export async function cycleAndResume(deps: CycleAndResumeDeps, principal: Principal, req: CycleAndResumeRequest): Promise<CycleAndResumeResult> {
  const timeoutS = req.timeoutS ?? DEFAULT_TIMEOUT_S;
  if (!Number.isInteger(timeoutS) || timeoutS < 1 || timeoutS > 3600) throw new ValidationError('timeoutS must be a whole number of seconds from 1 to 3600', 'timeoutS');
  const reason = req.reason.trim();
  const base = { hosts: req.hosts, reason, requestId: req.requestId };

  // Preflight as dry runs: every refusal (grants, reason, bulk limit, no POWER_CYCLE recommendation,
  // cooldown, an unusable Slurm reason) comes before anything is drained, so a refusal changes nothing.
  await runHostAction(deps, principal, { ...base, actionId: POWER, params: { action: 'cycle' }, force: req.force, dryRun: true });
  await runHostAction(deps, principal, { ...base, actionId: DRAIN, params: { reason }, dryRun: true });

  const targets = await selectHosts(deps.db, req.hosts);
  const state = new Map<string, RepairHostOutcome>(targets.map((h) => [h.name, { host: h.name, drained: false, cycled: false, resumed: false, message: '' }]));

  const drain = await runHostAction(deps, principal, { ...base, actionId: DRAIN, params: { reason } });
  for (const o of drain.outcomes) {
    const s = state.get(o.host)!;
    s.drained = o.ok;
    s.message = o.ok ? 'drained' : `not drained, so not cycled: ${o.message}`;
  }
  const drained = targets.filter((h) => state.get(h.name)!.drained);

  let cycle: ActionResult | null = null;
  if (drained.length) {
    try {
      cycle = await runHostAction(deps, principal, { ...base, hosts: drained.map((h) => h.name), actionId: POWER, params: { action: 'cycle' }, force: req.force });
      for (const o of cycle.outcomes) {
        const s = state.get(o.host)!;
        s.cycled = o.ok;
        s.message = o.ok ? `drained; ${o.message}` : `drained; power cycle failed: ${o.message}`;
      }
    } catch (e) {
      // Refused between the preflight and now (e.g. the recommendation cleared): the hosts stay drained.
      if (!(e instanceof CorralError)) throw e;
      for (const h of drained) state.get(h.name)!.message = `drained; power cycle refused: ${e.message}`;
    }
  }

  const outcomes = targets.map((h) => {
    const s = state.get(h.name)!;
    return { host: h.name, ok: s.drained && s.cycled, message: s.message, details: { drained: s.drained, cycled: s.cycled } };
  });
  const finished = finish(deps, principal, req, reason, timeoutS, targets, state).catch((e) => {
    deps.log.error('cycle-and-resume background step failed', { error: errorText(e) });
    return [...state.values()];
  });
  return { outcomes, auditEvent: cycle?.auditEvent ?? drain.auditEvent, dryRun: false, finished };
}

/** Background: per cycled host, probe until healthy (resume) or the timeout (note it in the drain reason). */
async function finish(
  deps: CycleAndResumeDeps,
  principal: Principal,
  req: CycleAndResumeRequest,
  reason: string,
  timeoutS: number,
  targets: HostRow[],
  state: Map<string, RepairHostOutcome>,
): Promise<RepairHostOutcome[]> {
  const pollMs = req.pollMs ?? Math.min(POLL_MS, Math.max(500, (timeoutS * 1000) / 4));
  const base = reason.length > MAX_BASE_REASON ? `${reason.slice(0, MAX_BASE_REASON - 1)}…` : reason;
  const redrain = async (h: HostRow, note: string) => {
    const s = state.get(h.name)!;
    s.message += `; left drained: ${note}`;
    await runHostAction(deps, principal, { actionId: DRAIN, hosts: [h.name], params: { reason: `${base} — ${note}` }, reason, requestId: req.requestId }).catch((e) =>
      deps.log.warn('could not update the drain reason', { host: h.name, error: errorText(e) }),
    );
  };

  await Promise.all(
    targets.map(async (h) => {
      const s = state.get(h.name)!;
      if (!s.drained) return;
      if (!s.cycled) return redrain(h, 'the power cycle did not happen');
      const cycledAt = new Date();
      const deadline = Date.now() + timeoutS * 1000;
      let last = 'not probed yet';
      while (!deps.signal?.aborted) {
        await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())), deps.signal);
        if (deps.signal?.aborted) return;
        let probes: Awaited<ReturnType<CycleAndResumeDeps['checksNow']>> = [];
        try {
          probes = (await deps.checksNow([h], PROBE_KINDS)).filter((p) => p.host === h.name);
        } catch (e) {
          last = `checks could not run: ${errorText(e)}`;
        }
        if (probes.length === 0 && last === 'not probed yet') {
          return redrain(h, `cycled at ${cycledAt.toISOString()}, but it has no ping or ssh check to confirm it is healthy`);
        }
        if (probes.length > 0 && probes.every((p) => p.status === 'OK')) {
          const r = await runHostAction(deps, principal, { actionId: RESUME, hosts: [h.name], params: {}, reason: `${reason} — healthy after the power cycle`, requestId: req.requestId });
          const o = r.outcomes[0];
          s.resumed = !!o?.ok;
          s.message += s.resumed ? `; ${probes.map((p) => p.kind).join(' and ')} OK, resumed` : `; healthy but the resume failed: ${o?.message ?? 'no outcome'}`;
          return;
        }
        if (probes.length) last = probes.filter((p) => p.status !== 'OK').map((p) => `${p.kind} ${p.status}: ${p.summary}`).join('; ');
        if (Date.now() >= deadline) {
          deps.log.info('cycled host still unhealthy', { host: h.name, last });
          return redrain(h, `cycled at ${cycledAt.toISOString()}, still unhealthy after ${timeoutS}s`);
        }
      }
    }),
  );

  const list = targets.map((h) => state.get(h.name)!);
  const resumed = list.filter((s) => s.resumed).length;
  if (!deps.signal?.aborted) {
    await writeAudit(deps.db, deps.pubsub, {
      principal,
      action: REPAIR_ACTION,
      targets: list.map((s) => s.host),
      reason,
      outcome: resumed === list.length ? 'OK' : resumed === 0 ? 'FAILED' : 'PARTIAL',
      details: { outcomes: list, timeoutS, forced: !!req.force },
      requestId: req.requestId,
    });
  }
  return list;
}
