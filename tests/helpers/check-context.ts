/** A CheckContext/ActionContext for exercising one plugin directly, with an in-memory state store. */
import { runCommand } from '../../src/core/command.js';
import { createLogger } from '../../src/core/logger.js';
import type { ActionContext, CheckContext, HostTarget, PluginStateStore } from '../../src/core/plugin.js';

export function memoryState(): PluginStateStore & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>();
  return {
    data,
    get: async (hostId, key) => data.get(`${hostId}/${key}`),
    set: async (hostId, key, value) => {
      data.set(`${hostId}/${key}`, value);
    },
  };
}

export function checkContext(timeoutMs = 5000, state = memoryState()): CheckContext & ActionContext {
  return {
    signal: AbortSignal.timeout(timeoutMs + 1000),
    timeoutMs,
    log: createLogger(process.env.CORRAL_TEST_LOG ? 'debug' : 'silent'),
    run: runCommand,
    state,
    now: () => new Date(),
  };
}

let n = 0;
export function target(name: string, address: string | null, settings?: Record<string, unknown>): HostTarget {
  n += 1;
  return { id: `h${n}`, name, address, labels: {}, settings };
}
