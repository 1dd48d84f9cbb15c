/** The live `Host.power` view: asks the BMC now (used by the API field, not by the scheduler). */
import type { CommandRunner } from '../../core/command.js';
import type { HostTarget } from '../../core/plugin.js';
import { readPowerState } from './power.js';
import { resolveBmc } from './settings.js';

export interface PowerView {
  /** The BMC answered (even if it then refused us). */
  reachable: boolean;
  state: 'on' | 'off' | 'unknown';
  /** One readable line when the state could not be read ("authentication failed", "BMC unreachable …"). */
  error?: string;
}

export async function getPowerView(
  target: HostTarget,
  run: CommandRunner,
  options: { signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<PowerView> {
  const resolved = resolveBmc(target);
  if (!resolved.ok) return { reachable: false, state: 'unknown', error: resolved.message };
  const r = await readPowerState(run, resolved.bmc, options);
  if (r.ok) return { reachable: true, state: r.state };
  // An auth/privilege/cipher refusal is an answer: the BMC is there, we just may not ask it.
  const reachable = r.kind !== 'unreachable' && r.kind !== 'tool';
  return { reachable, state: 'unknown', error: r.message };
}
