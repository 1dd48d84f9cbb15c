/**
 * The Slurm backend: check kind `slurm`, actions `slurm.drain|resume|reboot`, and inventory sync
 * (nodes → hosts, partitions → groups). Slurm's location comes in as options from src/config.ts.
 */
import type { Plugin } from '../../core/plugin.js';
import { createSlurmActions } from './actions.js';
import { createSlurmCheck } from './check.js';
import { type SlurmInventory, startInventorySync } from './inventory.js';
import type { SlurmClientOptions } from './options.js';
import { resumeRule } from './recommend.js';
import { extendSinfoSchema } from './schema.js';

export interface SinfoPluginOptions extends SlurmClientOptions {
  /** Seconds between inventory re-syncs. Default 300. */
  syncIntervalS?: number;
  /** Sync nodes → hosts and partitions → SLURM groups in the background (only with slurmConf). */
  syncInventory?: boolean;
  /** Receives every inventory read instead of the core's sync (tests). */
  onInventory?(inventory: SlurmInventory): Promise<void>;
}

export const DEFAULT_SYNC_INTERVAL_S = 300;

export function createSinfoPlugin(options: SinfoPluginOptions = {}): Plugin {
  const client: SlurmClientOptions = { slurmConf: options.slurmConf, binDir: options.binDir };
  const syncing = !!options.onInventory || (options.syncInventory !== false && !!options.slurmConf);
  return {
    name: 'sinfo',
    description: 'Slurm through sinfo/scontrol: node state and drain reasons, drain/resume/reboot, partitions as groups',
    checks: { slurm: createSlurmCheck(client) },
    actions: createSlurmActions(client),
    recommendations: [resumeRule],
    extendSchema: extendSinfoSchema,
    start: syncing
      ? async (ctx) =>
          startInventorySync(ctx.run, {
            ...client,
            intervalS: options.syncIntervalS ?? DEFAULT_SYNC_INTERVAL_S,
            log: ctx.log.child({ plugin: 'sinfo' }),
            onInventory:
              options.onInventory ??
              ((inv) =>
                ctx.syncInventory('SLURM', {
                  hosts: inv.nodes.map((n) => ({ name: n.name, address: n.address ?? null })),
                  groups: inv.partitions.map((p) => ({ name: p.name, hosts: p.nodes })),
                })),
          })
      : undefined,
  };
}

export const sinfoPlugin: Plugin = createSinfoPlugin({});
