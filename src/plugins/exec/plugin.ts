import type { Plugin } from '../../core/plugin.js';
import { createExecCheck, type ExecCheckOptions } from './check.js';

/** Debian's monitoring-plugins directory. */
export const DEFAULT_PLUGIN_DIRS = ['/usr/lib/nagios/plugins'] as const;

/** An exec plugin whose checks may run programs from `allowedDirs` only (e.g. from server config). */
export function createExecPlugin(opts: ExecCheckOptions): Plugin {
  return {
    name: 'exec',
    description: 'Runs Nagios-compatible check_* programs from the allowed plugin directories (admins only)',
    checks: { exec: createExecCheck(opts) },
  };
}

export const execPlugin: Plugin = createExecPlugin({ allowedDirs: DEFAULT_PLUGIN_DIRS });
