/** The background engines a server runs (check scheduler, liveness …), chosen by config. */
import type { Config } from './config.js';
import type { Engine } from './server.js';

export function defaultEngines(_config: Config): Engine[] {
  return [];
}
