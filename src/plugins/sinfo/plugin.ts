/**
 * The Slurm backend: check kind `slurm`, actions `slurm.drain|resume|reboot`, and inventory sync
 * (nodes → hosts, partitions → groups). Slurm's location comes in as options from src/config.ts.
 */
import type { Plugin } from '../../core/plugin.js';
import { createSlurmActions } from './actions.js';
import { createSlurmCheck } from './check.js';
import { type SlurmInventory, startInventorySync } from './inventory.js';
import type { SlurmClientOptions } from './options.js';

export interface SinfoPluginOptions extends SlurmClientOptions {
  /** Seconds between inventory re-syncs. Default 300. */
  syncIntervalS?: number;
  /**
   * Receives every inventory read (the lead's sync engine writes hosts and SLURM groups from it).
   * Without it the plugin runs no background sync.
   */
  onInventory?(inventory: SlurmInventory): Promise<void>;
}

export const DEFAULT_SYNC_INTERVAL_S = 300;

export function createSinfoPlugin(options: SinfoPluginOptions = {}): Plugin {
  const client: SlurmClientOptions = { slurmConf: options.slurmConf, binDir: options.binDir };
  const onInventory = options.onInventory;
  return {
    name: 'sinfo',
    description: 'Slurm through sinfo/scontrol: node state and drain reasons, drain/resume/reboot, partitions as groups',
    checks: { slurm: createSlurmCheck(client) },
    actions: createSlurmActions(client),
    start: onInventory
      ? async (ctx) =>
          startInventorySync(ctx.run, {
            ...client,
            intervalS: options.syncIntervalS ?? DEFAULT_SYNC_INTERVAL_S,
            log: ctx.log.child({ plugin: 'sinfo' }),
            onInventory,
          })
      : undefined,
  };
}

export const sinfoPlugin: Plugin = createSinfoPlugin({});
