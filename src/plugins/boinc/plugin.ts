/** The BOINC backend: a `boinc` check, mode/project/task actions, per-host GUI RPC settings. */
import type { Plugin } from '../../core/plugin.js';
import { createBoincActions } from './actions.js';
import { createBoincCheck } from './check.js';
import { defaultBoincPool } from './client-pool.js';
import { createBoincSchema } from './schema.js';
import { boincHostSettings } from './settings.js';

export const boincPlugin: Plugin = {
  name: 'boinc',
  description: 'BOINC clients over their GUI RPC protocol: status, tasks, projects, run modes',
  checks: { boinc: createBoincCheck(defaultBoincPool) },
  actions: createBoincActions(defaultBoincPool),
  hostSettings: boincHostSettings,
  extendSchema: createBoincSchema(defaultBoincPool),
  start: async () => async () => defaultBoincPool.close(),
};
