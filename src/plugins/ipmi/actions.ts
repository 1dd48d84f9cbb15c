/** Action `ipmi.power`: on / off / cycle / reset / soft through the BMC, with the state read back. */
import { z } from 'zod';
import type { CommandRunner } from '../../core/command.js';
import type { ActionContext, ActionKind, ActionOutcome, HostTarget } from '../../core/plugin.js';
import { POWER_COMMANDS, POWER_VERBS, powerAction } from './power.js';
import { rememberPowerState } from './power-history.js';
import { bmcLabel, resolveBmc } from './settings.js';

export const ipmiPowerParams = z.object({
  action: z.enum(POWER_COMMANDS),
  /** Seconds to wait for the expected state to show after the BMC accepted the command. */
  waitS: z.number().int().min(0).max(300).default(10),
});
export type IpmiPowerParams = z.output<typeof ipmiPowerParams>;

/** Actions that cut power without asking the OS: they need a recommendation (or admin + force). */
const HARD_ACTIONS = new Set<string>(['off', 'cycle', 'reset']);
export const POWER_COOLDOWN_S = 600;

export function createPowerAction(limitedRun: (ctx: ActionContext) => CommandRunner): ActionKind<IpmiPowerParams> {
  return {
    description: 'Chassis power on, off, cycle, hard reset or soft (ACPI) shutdown through the BMC; reads the state back',
    params: ipmiPowerParams,
    minRole: 'operator',
    dangerous: true,
    // A second hard cycle within minutes rarely helps and can hurt (PSU, filesystems).
    cooldownS: (params) => (HARD_ACTIONS.has(params.action) ? POWER_COOLDOWN_S : null),
    requiresRecommendation: (params) => (HARD_ACTIONS.has(params.action) ? 'POWER_CYCLE' : null),
    // Synchronous and offline by contract: it states what would be sent where, from the settings only.
    describe: (target, params) => {
      const resolved = resolveBmc(target);
      const verb = POWER_VERBS[params.action];
      if (!resolved.ok) return `cannot ${verb} ${target.name}: ${resolved.message}`;
      const b = resolved.bmc;
      return `would ${verb} ${target.name} via BMC ${bmcLabel(b)} as ${b.user || '(anonymous)'} (cipher suite ${b.cipherSuite})`;
    },
    run: (targets, params, ctx) => {
      const run = limitedRun(ctx);
      return Promise.all(targets.map((t) => runOne(t, params, ctx, run)));
    },
  };
}

async function runOne(target: HostTarget, params: IpmiPowerParams, ctx: ActionContext, run: CommandRunner): Promise<ActionOutcome> {
  const resolved = resolveBmc(target);
  if (!resolved.ok) return { hostId: target.id, ok: false, message: resolved.message };
  const r = await powerAction(run, resolved.bmc, params.action, { signal: ctx.signal, settleMs: params.waitS * 1000 });
  ctx.log.info('ipmi power action', { host: target.name, bmc: bmcLabel(resolved.bmc), action: params.action, ok: r.ok, message: r.message });
  if (r.after !== 'unknown') await rememberPowerState(ctx.state, target.id, r.after, ctx.now());
  const details: Record<string, unknown> = { power: r.after, before: r.before };
  if (r.failure) details.failure = r.failure;
  return { hostId: target.id, ok: r.ok, message: r.message, details };
}
