/**
 * The closed, ordered list of plugins. Adding a backend: one folder under src/plugins/ and one
 * line here. The registry throws on duplicate names.
 */
import type { Config } from '../config.js';
import type { Plugin } from '../core/plugin.js';
import { boincPlugin } from './boinc/plugin.js';
import { createExecPlugin } from './exec/plugin.js';
import { createIpmiPlugin } from './ipmi/plugin.js';
import { pingPlugin } from './ping/plugin.js';
import { createSinfoPlugin } from './sinfo/plugin.js';
import { sshPlugin } from './ssh/plugin.js';

export function createPlugins(config: Config): Plugin[] {
  return [
    pingPlugin,
    sshPlugin,
    createExecPlugin({ allowedDirs: config.nagiosPluginDirs }),
    createIpmiPlugin({ maxSessions: config.maxBmcSessions, powerCycleAfterS: config.powerCycleAfterS }),
    createSinfoPlugin({ slurmConf: config.slurmConf }),
    boincPlugin,
  ];
}
