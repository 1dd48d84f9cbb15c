/**
 * The live Slurm view of hosts (what `Host.slurm` shows): one sinfo run for any number of names,
 * so the schema's dataloader can batch a whole page of hosts into one call.
 */
import type { CommandRunner } from '../../core/command.js';
import { isBusyNode, normaliseNodeState, type SlurmNodeState } from './node-state.js';
import type { SlurmCallOptions } from './options.js';
import { readSinfoNodes, type SinfoNode } from './sinfo-json.js';

export interface SlurmNodeView {
  name: string;
  state: SlurmNodeState;
  /** Slurm's raw base state as sinfo printed it (idle, allocated …). */
  baseState: string;
  flags: string[];
  reason: string | null;
  reasonUser: string | null;
  reasonTime: Date | null;
  partitions: string[];
  cpus: number;
  allocCpus: number;
  memoryMb: number;
  load: number | null;
  /** Allocated, mixed or completing: jobs would die in a hard power cycle (needs admin + force). */
  busy: boolean;
}

export function toSlurmNodeView(n: SinfoNode): SlurmNodeView {
  const hasReason = n.reason.trim() !== '';
  return {
    name: n.name,
    state: normaliseNodeState(n.state, n.stateFlags),
    baseState: n.state,
    flags: n.stateFlags,
    reason: hasReason ? n.reason : null,
    reasonUser: hasReason ? n.reasonSetByUser : null,
    reasonTime: hasReason && n.reasonChangedAt > 0 ? new Date(n.reasonChangedAt * 1000) : null,
    partitions: n.partitions,
    cpus: n.cpus,
    allocCpus: n.allocCpus,
    memoryMb: n.memoryMb,
    load: n.load,
    busy: isBusyNode(n.state, n.stateFlags),
  };
}

/**
 * Node views keyed by name for the names Slurm knows; a name Slurm does not know is absent.
 * Throws SlurmUnavailableError when the controller cannot be asked.
 */
export async function getSlurmView(
  names: readonly string[],
  run: CommandRunner,
  opts: SlurmCallOptions = {},
): Promise<Map<string, SlurmNodeView>> {
  const out = new Map<string, SlurmNodeView>();
  if (names.length === 0) return out;
  const wanted = new Set(names);
  for (const n of await readSinfoNodes(run, opts)) {
    if (wanted.has(n.name)) out.set(n.name, toSlurmNodeView(n));
  }
  return out;
}
