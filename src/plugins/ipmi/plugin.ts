/** IPMI backend: BMC settings per host, the `ipmi` check and the `ipmi.power` action. */
import { runCommand } from '../../core/command.js';
import type { Plugin } from '../../core/plugin.js';
import { createPowerAction } from './actions.js';
import { createIpmiCheck } from './check.js';
import { createPowerCycleRule } from './recommend.js';
import { createIpmiSchema } from './schema.js';
import { createSemaphore, limitRunner } from './semaphore.js';
import { ipmiHostSettings } from './settings.js';

export interface IpmiPluginOptions {
  /** Most BMC sessions (ipmitool processes) open at once across checks and actions. Default 4. */
  maxSessions?: number;
  /** How long ping and ssh must be CRIT before POWER_CYCLE is recommended. Default 300 s. */
  powerCycleAfterS?: number;
}

/** One semaphore per plugin instance, shared by the check and the action. */
export function createIpmiPlugin(options: IpmiPluginOptions = {}): Plugin {
  const sessions = createSemaphore(options.maxSessions ?? 4);
  const limited = (ctx: { run: Parameters<typeof limitRunner>[0] }) => limitRunner(ctx.run, sessions);
  return {
    name: 'ipmi',
    description: 'BMC power state and control over IPMI v2 (ipmitool, lanplus)',
    hostSettings: ipmiHostSettings,
    checks: { ipmi: createIpmiCheck(limited) },
    actions: { 'ipmi.power': createPowerAction(limited) },
    recommendations: [createPowerCycleRule(options.powerCycleAfterS ?? 300)],
    extendSchema: createIpmiSchema(limited, runCommand),
  };
}

export const ipmiPlugin: Plugin = createIpmiPlugin();
