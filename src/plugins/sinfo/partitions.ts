/**
 * Partition membership. sinfo --json has no partition list, but each node names its partitions,
 * so membership is read off the nodes: one call, no hostlist expansion needed. A partition with
 * no nodes at all does not appear (there is nothing to group).
 */
import { naturalCompare } from '../../core/natural-order.js';
import type { SinfoNode } from './sinfo-json.js';

export interface SlurmPartition {
  name: string;
  /** Member node names, sorted naturally (node2 before node10). */
  nodes: string[];
}

const natural = naturalCompare;

export function partitionsOf(nodes: readonly SinfoNode[]): SlurmPartition[] {
  const members = new Map<string, Set<string>>();
  for (const n of nodes) {
    for (const p of n.partitions) {
      const set = members.get(p) ?? new Set<string>();
      set.add(n.name);
      members.set(p, set);
    }
  }
  return [...members]
    .map(([name, set]) => ({ name, nodes: [...set].sort(natural) }))
    .sort((a, b) => natural(a.name, b.name));
}
