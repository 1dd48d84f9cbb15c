/**
 * The closed, ordered list of plugins. Adding a backend: one folder under src/plugins/ and one
 * line here. The registry throws on duplicate names.
 */
import type { Config } from '../config.js';
import type { Plugin } from '../core/plugin.js';

export function createPlugins(_config: Config): Plugin[] {
  return [];
}
