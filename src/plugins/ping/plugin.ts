import type { Plugin } from '../../core/plugin.js';
import { pingCheck } from './check.js';

export const pingPlugin: Plugin = {
  name: 'ping',
  description: 'Reachability over ICMP echo (fping): loss and round-trip time for every host in one sweep',
  checks: { ping: pingCheck },
};
