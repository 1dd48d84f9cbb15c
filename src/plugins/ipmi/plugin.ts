/** IPMI backend: BMC settings per host, the `ipmi` check and the `ipmi.power` action. */
import type { Plugin } from '../../core/plugin.js';
import { createPowerAction } from './actions.js';
import { createIpmiCheck } from './check.js';
import { createSemaphore, limitRunner } from './semaphore.js';
import { ipmiHostSettings } from './settings.js';

export interface IpmiPluginOptions {
  /** Most BMC sessions (ipmitool processes) open at once across checks and actions. Default 4. */
  maxSessions?: number;
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
  };
}

export const ipmiPlugin: Plugin = createIpmiPlugin();
