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
  /**
   * Offered by the scheduler's sweep: a batch check whose targets finish at very different times
   * (fping over 10,000 addresses, in parts) may hand over final outcomes it already has, up to
   * `earlyReports` times, so that their database write overlaps the rest of the run. Outcomes handed
   * over beyond that are written with the rest. `run` still returns every outcome.
   */
  reportEarly?(outcomes: CheckOutcome[]): void;
  /** How many calls of reportEarly are written early. */
  earlyReports?: number;
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
  /** Per-host cooldown: a second run within this many seconds is refused unless an admin forces it. */
  cooldownS?(params: P): number | null;
  /**
   * A recommendation an operator needs on every target before acting (e.g. POWER_CYCLE before a
   * hard power cycle); admins may override with force and a reason. Null: no recommendation needed.
   */
  requiresRecommendation?(params: P): string | null;
  /** What a dry run reports for one host, without touching it. */
  describe(target: HostTarget, params: P): string;
  /** Acts on every target (the plugin bounds its own concurrency) and returns one outcome per target. */
  run(targets: HostTarget[], params: P, ctx: ActionContext): Promise<ActionOutcome[]>;
}

/** What a recommendation rule sees about one host: its latest check states and recent history. */
export interface HostFacts {
  host: HostTarget & { enabled: boolean };
  /** Latest state per check kind (worst when several checks share a kind). */
  checks: Record<string, { status: CheckStatus; since: Date; summary: string; consecutiveFailures: number; metrics: Record<string, number> | null }>;
  /** Actions done on this host in the last 24 h (from the audit log), newest first. */
  recentActions: { action: string; outcome: string; at: Date; params: Record<string, unknown> | null }[];
  now: Date;
}

export interface Recommendation {
  /** POWER_CYCLE, RESUME, ESCALATE, DRAIN … */
  action: string;
  /** 0..1 */
  confidence: number;
  /** A sentence an operator can check against the facts. */
  explanation: string;
}

export interface RecommendationRule {
  id: string;
  evaluate(facts: HostFacts): Recommendation | null;
}

export interface PluginStartContext {
  log: Logger;
  run: CommandRunner;
  state: PluginStateStore;
  /** Writes hosts and groups read from an outside source (e.g. Slurm partitions → SLURM groups). */
  syncInventory(
    source: 'SLURM' | 'GENDERS' | 'PDSH' | 'CSV',
    inventory: { hosts: { name: string; address?: string | null }[]; groups: { name: string; hosts: string[] }[] },
  ): Promise<void>;
}

export interface Plugin {
  /** kebab-case id, e.g. "boinc" */
  name: string;
  description: string;
  checks?: Record<string, CheckKind<any>>;
  actions?: Record<string, ActionKind<any>>;
  hostSettings?: HostSettingsSpec<any>;
  /** Recommendation rules this plugin contributes (see core/recommendations.ts). */
  recommendations?: RecommendationRule[];
  /**
   * Adds GraphQL fields (Host.power, powerAction …). Receives the schema builder and refs; typed as
   * unknown here because core knows no GraphQL: plugins cast to the types in schema/plugin-api.ts.
   */
  extendSchema?(builder: unknown, refs: unknown): void;
  /** Background work (e.g. inventory sync); returns its stop function. */
  start?(ctx: PluginStartContext): Promise<() => Promise<void>>;
}
