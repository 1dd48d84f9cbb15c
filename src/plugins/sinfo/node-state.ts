/**
 * Slurm's node state (a base state plus flags) folded into one state an operator reads the way
 * sinfo prints it (%T), and that state mapped to a check status. The precedence follows sinfo's
 * node_state_string, except that lost nodes (down, fail, not responding) win over drain: a
 * drained node that stopped answering needs attention, not just a note.
 */
import type { CheckStatus } from '../../core/plugin.js';

export const SLURM_NODE_STATES = [
  'IDLE',
  'ALLOCATED',
  'MIXED',
  'COMPLETING',
  'RESERVED',
  'PLANNED',
  'FUTURE',
  'POWERED_DOWN',
  'POWERING_UP',
  'REBOOTING',
  'MAINTENANCE',
  'DRAINING',
  'DRAINED',
  'DOWN',
  'FAIL',
  'FAILING',
  'NOT_RESPONDING',
  'UNKNOWN',
] as const;
export type SlurmNodeState = (typeof SLURM_NODE_STATES)[number];

const BASE: Record<string, SlurmNodeState> = {
  IDLE: 'IDLE',
  ALLOC: 'ALLOCATED',
  ALLOCATED: 'ALLOCATED',
  MIX: 'MIXED',
  MIXED: 'MIXED',
  DOWN: 'DOWN',
  FUTURE: 'FUTURE',
  ERROR: 'FAIL', // Slurm's old "error" base state: a node that reported a hardware error
  UNKNOWN: 'UNKNOWN',
};

// sinfo's short forms carry a suffix (idle*, drain~ …); the flags already say what it means.
function baseState(base: string): SlurmNodeState {
  return BASE[base.trim().toUpperCase().replace(/[*~#!%$@^-]+$/, '')] ?? 'UNKNOWN';
}

/** The flags that change what a node is; the rest (CLOUD, DYNAMIC …) are only listed. */
function has(flags: readonly string[], ...names: string[]): boolean {
  return names.some((n) => flags.includes(n));
}

export function normaliseNodeState(base: string, flags: readonly string[]): SlurmNodeState {
  const b = baseState(base);
  const busy = b === 'ALLOCATED' || b === 'MIXED' || has(flags, 'COMPLETING');
  if (b === 'DOWN') return 'DOWN';
  if (has(flags, 'FAIL')) return busy ? 'FAILING' : 'FAIL';
  if (b === 'FAIL') return 'FAIL';
  if (has(flags, 'NOT_RESPONDING')) return 'NOT_RESPONDING';
  if (has(flags, 'DRAIN')) return busy ? 'DRAINING' : 'DRAINED';
  if (has(flags, 'MAINTENANCE')) return 'MAINTENANCE';
  if (has(flags, 'REBOOT_ISSUED', 'REBOOT_REQUESTED')) return 'REBOOTING';
  if (has(flags, 'POWERING_UP')) return 'POWERING_UP';
  if (has(flags, 'POWERED_DOWN', 'POWER_DOWN')) return 'POWERED_DOWN';
  if (b === 'ALLOCATED' || b === 'MIXED') return b;
  if (has(flags, 'COMPLETING')) return 'COMPLETING';
  if (has(flags, 'RESERVED')) return 'RESERVED';
  if (has(flags, 'PLANNED')) return 'PLANNED';
  return b;
}

const STATUS: Record<SlurmNodeState, CheckStatus> = {
  IDLE: 'OK',
  ALLOCATED: 'OK',
  MIXED: 'OK',
  COMPLETING: 'OK',
  RESERVED: 'OK',
  PLANNED: 'OK',
  FUTURE: 'OK',
  POWERED_DOWN: 'OK', // power saving, by design
  POWERING_UP: 'OK',
  REBOOTING: 'WARN',
  MAINTENANCE: 'WARN',
  DRAINING: 'WARN',
  DRAINED: 'WARN',
  DOWN: 'CRIT',
  FAIL: 'CRIT',
  FAILING: 'CRIT',
  NOT_RESPONDING: 'CRIT',
  UNKNOWN: 'UNKNOWN',
};

export function statusOfNodeState(state: SlurmNodeState): CheckStatus {
  return STATUS[state];
}

/**
 * True when the node runs (or is finishing) jobs, as the Slurm base state says, whatever its
 * drain/fail flags. A busy node must not be hard power-cycled without admin + force.
 */
export function isBusyNode(base: string, flags: readonly string[]): boolean {
  const b = baseState(base);
  return b === 'ALLOCATED' || b === 'MIXED' || has(flags, 'COMPLETING');
}

/** "NOT_RESPONDING" → "not responding", as an operator reads it. */
export function nodeStateLabel(state: SlurmNodeState): string {
  return state.toLowerCase().replace(/_/g, ' ');
}
