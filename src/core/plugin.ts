/**
 * The plugin contract (see DESIGN.md "The plugin contract").
 * Core engines and the schema only ever see these types; nothing in core names a plugin.
 */
import type { ZodType } from 'zod';
import type { CommandRunner } from './command.js';
import type { Logger } from './logger.js';

export const CHECK_STATUSES = ['OK', 'WARN', 'CRIT', 'UNKNOWN'] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

/** Nagios exit code convention: 0 OK, 1 WARN, 2 CRIT, 3 UNKNOWN. */
export const STATUS_BY_EXIT_CODE: Record<number, CheckStatus> = { 0: 'OK', 1: 'WARN', 2: 'CRIT', 3: 'UNKNOWN' };

/** One host as a check or action sees it: its identity plus this plugin's decrypted settings. */
export interface HostTarget {
  id: string;
  name: string;
  /** IP or DNS name to reach the host; falls back to `name` when null. */
  address: string | null;
  labels: Record<string, string>;
  /** This plugin's per-host settings (validated by `hostSettings`, secrets decrypted), or undefined. */
  settings: Record<string, unknown> | undefined;
}

export interface CheckOutcome {
  hostId: string;
  status: CheckStatus;
  summary: string;
  metrics?: Record<string, number>;
  durationMs: number;
}

/** Small persistent key/value store owned by one plugin (e.g. pinned SSH host keys). */
export interface PluginStateStore {
  get(hostId: string, key: string): Promise<unknown>;
  set(hostId: string, key: string, value: unknown): Promise<void>;
}

export interface CheckContext {
  /** Aborted when the check's timeout elapses or the server stops. */
  signal: AbortSignal;
  timeoutMs: number;
  log: Logger;
  run: CommandRunner;
  state: PluginStateStore;
  now(): Date;
}

export interface CheckKind<P = unknown> {
  description: string;
  params: ZodType<P>;
  defaults: { intervalS: number; timeoutS: number };
  /** Only admins may define checks of this kind (e.g. exec runs programs). */
  adminOnly?: boolean;
  /**
   * Batch-first: one call gets every due target, so fping/sinfo run once per sweep.
   * Returns one outcome per target it measured (CRIT included); throws only when it
   * could not check at all, and the scheduler then records UNKNOWN with the message.
   */
  run(targets: HostTarget[], params: P, ctx: CheckContext): Promise<CheckOutcome[]>;
}

/** Per-host connection settings a plugin declares; `secrets` are encrypted at rest and write-only. */
export interface HostSettingsSpec<S = Record<string, unknown>> {
  schema: ZodType<S>;
  secrets: readonly string[];
}

export interface ActionOutcome {
  hostId: string;
  ok: boolean;
  /** One readable line: what happened on this host ("power is now off", "authentication failed"). */
  message: string;
  /** Read-back state after the action, e.g. { power: 'off' }. */
  details?: Record<string, unknown>;
}

export interface ActionContext {
  signal: AbortSignal;
  log: Logger;
  run: CommandRunner;
  state: PluginStateStore;
  now(): Date;
}

/**
 * A host action a plugin offers (power cycle, drain, BOINC run mode …). Authorisation, reasons,
 * dry runs, bulk limits and audit events are the core's job; `run` only acts.
 */
export interface ActionKind<P = unknown> {
  description: string;
  params: ZodType<P>;
  minRole: 'operator' | 'admin';
  /** Dangerous actions need a reason, write intent+outcome audit events and obey CORRAL_MAX_BULK. */
  dangerous: boolean;
  /** What a dry run reports for one host, without touching it. */
  describe(target: HostTarget, params: P): string;
  /** Acts on every target (the plugin bounds its own concurrency) and returns one outcome per target. */
  run(targets: HostTarget[], params: P, ctx: ActionContext): Promise<ActionOutcome[]>;
}

export interface PluginStartContext {
  log: Logger;
  run: CommandRunner;
  state: PluginStateStore;
}

export interface Plugin {
  /** kebab-case id, e.g. "boinc" */
  name: string;
  description: string;
  checks?: Record<string, CheckKind<any>>;
  actions?: Record<string, ActionKind<any>>;
  hostSettings?: HostSettingsSpec<any>;
  /** Background work (e.g. inventory sync); returns its stop function. */
  start?(ctx: PluginStartContext): Promise<() => Promise<void>>;
}
