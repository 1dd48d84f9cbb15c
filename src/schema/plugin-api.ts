/**
 * What a plugin's extendSchema receives: the builder and the refs it may hang fields on, plus
 * helpers to reach its own settings and run its actions through the core's safety rules.
 * Plugins import these as types only; the values come in as arguments.
 */
import type { ActionRequest } from '../core/actions/run-action.js';
import type { HostTarget, PluginStateStore } from '../core/plugin.js';
import type { builder } from './builder.js';
import type { BulkResult, BulkShape } from './bulk.js';
import type { Context } from './context.js';
import type { Host, HostShape } from './host.js';

export type Builder = typeof builder;

export interface SchemaRefs {
  Host: typeof Host;
  BulkResult: typeof BulkResult;
  /** This plugin's HostTarget for a host (settings decrypted), batched per request. */
  target(ctx: Context, host: HostShape, plugin: string): Promise<HostTarget>;
  state(ctx: Context, plugin: string): PluginStateStore;
  /** Runs an action through authorisation, reasons, limits, dry run and audit. */
  runAction(ctx: Context, request: Omit<ActionRequest, 'requestId'>): Promise<BulkShape>;
  /** Per-request cache for live views, so one request asks a peer once per host. */
  cached<T>(ctx: Context, key: string, load: () => Promise<T>): Promise<T>;
}

export type { Context, HostShape };
