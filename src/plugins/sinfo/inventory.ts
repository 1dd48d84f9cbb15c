/**
 * Slurm's inventory for the sync engine: nodes become hosts and partitions become groups
 * (source SLURM). Read-only; the lead's sync engine decides what to write, and static groups are
 * its business. `startInventorySync` re-reads it on an interval and hands each read over.
 */

import type { CommandRunner } from '../../core/command.js';
import type { Logger } from '../../core/logger.js';
import { naturalCompare } from '../../core/natural-order.js';
import { isValidNodeName } from './node-name.js';
import type { SlurmCallOptions } from './options.js';
import { partitionsOf, type SlurmPartition } from './partitions.js';
import { readSinfoNodes } from './sinfo-json.js';

export interface SlurmInventoryNode {
  name: string;
  /** NodeAddr when it differs from the name (Slurm defaults it to the name). */
  address?: string;
  partitions: string[];
  cpus: number;
  memoryMb: number;
}

export interface SlurmInventory {
  nodes: SlurmInventoryNode[];
  partitions: SlurmPartition[];
  /** Node names Slurm reported that are not usable host names; left out of nodes and partitions. */
  skipped: string[];
}

const natural = naturalCompare;

/** One sinfo run → every node and partition. Throws SlurmUnavailableError when Slurm cannot be asked. */
export async function readSlurmInventory(run: CommandRunner, opts: SlurmCallOptions = {}): Promise<SlurmInventory> {
  const all = await readSinfoNodes(run, opts);
  const usable = all.filter((n) => isValidNodeName(n.name));
  const nodes = usable
    .map((n) => {
      const node: SlurmInventoryNode = { name: n.name, partitions: n.partitions, cpus: n.cpus, memoryMb: n.memoryMb };
      if (n.address && n.address !== n.name) node.address = n.address;
      return node;
    })
    .sort((a, b) => natural(a.name, b.name));
  return {
    nodes,
    partitions: partitionsOf(usable),
    skipped: all.filter((n) => !isValidNodeName(n.name)).map((n) => n.name),
  };
}

export interface InventorySyncOptions extends SlurmCallOptions {
  intervalS: number;
  log: Logger;
  /** Receives each successful read; a rejection is logged and the next interval tries again. */
  onInventory(inventory: SlurmInventory): Promise<void>;
}

/** Reads now, then every intervalS (never overlapping); returns a stop function that waits for a read in flight. */
export function startInventorySync(run: CommandRunner, opts: InventorySyncOptions): () => Promise<void> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const once = async () => {
    try {
      const inv = await readSlurmInventory(run, { ...opts, signal: abort.signal });
      if (abort.signal.aborted) return;
      await opts.onInventory(inv);
      opts.log.debug('slurm inventory synced', { nodes: inv.nodes.length, partitions: inv.partitions.length });
    } catch (e) {
      if (!abort.signal.aborted) opts.log.warn('slurm inventory sync failed', { error: (e as Error).message });
    }
  };
  const tick = () => {
    inFlight = once().finally(() => {
      if (!abort.signal.aborted) timer = setTimeout(tick, opts.intervalS * 1000);
    });
  };
  tick();
  return async () => {
    abort.abort();
    clearTimeout(timer);
    await inFlight;
  };
}
