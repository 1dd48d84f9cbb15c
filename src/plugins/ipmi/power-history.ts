/**
 * Remembers the last observed power state per host in the plugin's state store, so
 * `Host.power.lastChangedAt` survives restarts and is shared by every server replica.
 */
import type { PluginStateStore } from '../../core/plugin.js';
import type { PowerState } from './power.js';

const KEY = 'power';

interface Remembered {
  state: PowerState;
  changedAt: string;
}

function isRemembered(v: unknown): v is Remembered {
  return typeof v === 'object' && v !== null && 'state' in v && 'changedAt' in v;
}

/** Records an observation; returns when the state last changed (now, if it just did or was unknown). */
export async function rememberPowerState(store: PluginStateStore, hostId: string, state: PowerState, now: Date): Promise<Date> {
  const prev = await store.get(hostId, KEY);
  if (isRemembered(prev) && prev.state === state) return new Date(prev.changedAt);
  const next: Remembered = { state, changedAt: now.toISOString() };
  await store.set(hostId, KEY, next);
  return now;
}

/** The last observed state and when it changed, or null if never observed. */
export async function lastPowerChange(store: PluginStateStore, hostId: string): Promise<{ state: PowerState; changedAt: Date } | null> {
  const v = await store.get(hostId, KEY);
  return isRemembered(v) ? { state: v.state, changedAt: new Date(v.changedAt) } : null;
}
