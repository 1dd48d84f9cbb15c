/** Generic host actions (runAction), host settings, recommendations; and the refs given to plugins. */
import DataLoader from 'dataloader';
import { eq } from 'drizzle-orm';
import { runHostAction } from '../core/actions/run-action.js';
import { writeAudit } from '../core/audit.js';
import { runCommand } from '../core/command.js';
import { NotFoundError } from '../core/errors.js';
import { readPublicSettings, setHostSettings, targetsFor } from '../core/host-settings.js';
import { mayActOnHost } from '../core/auth/principal.js';
import type { Recommendation } from '../core/plugin.js';
import { pluginStateStore } from '../core/plugin-state.js';
import { recommendationsFor } from '../core/recommendations.js';
import { hosts } from '../db/tables/inventory.js';
import { builder } from './builder.js';
import { BulkResult, type BulkShape } from './bulk.js';
import type { Context } from './context.js';
import { INPUT_ERRORS } from './errors.js';
import { Host, type HostShape } from './host.js';
import type { SchemaRefs } from './plugin-api.js';

const recommendationLoaders = new WeakMap<Context, DataLoader<HostShape, Recommendation[]>>();
/** Recommendations for every host of a page in one batch (two statements). */
function recommendationLoader(ctx: Context): DataLoader<HostShape, Recommendation[]> {
  let loader = recommendationLoaders.get(ctx);
  if (!loader) {
    loader = new DataLoader(
      async (rows) => {
        const byId = await recommendationsFor(ctx.app.db, ctx.app.registry, [...rows]);
        return rows.map((h) => byId.get(h.id) ?? []);
      },
      { cacheKeyFn: (h) => h.id },
    );
    recommendationLoaders.set(ctx, loader);
  }
  return loader;
}

const requestCaches = new WeakMap<Context, Map<string, Promise<unknown>>>();
const targetLoaders = new WeakMap<Context, Map<string, DataLoader<HostShape, Awaited<ReturnType<typeof targetsFor>>[number]>>>();

export const schemaRefs: SchemaRefs = {
  Host,
  BulkResult,
  target(ctx, host, plugin) {
    let byPlugin = targetLoaders.get(ctx);
    if (!byPlugin) targetLoaders.set(ctx, (byPlugin = new Map()));
    let loader = byPlugin.get(plugin);
    if (!loader) {
      loader = new DataLoader((rows) => targetsFor(ctx.app.db, ctx.app.secrets, plugin, [...rows]), { cacheKeyFn: (h) => h.id });
      byPlugin.set(plugin, loader);
    }
    return loader.load(host);
  },
  state: (ctx, plugin) => pluginStateStore(ctx.app.db, plugin),
  runAction: (ctx, request) =>
    runHostAction(
      { db: ctx.app.db, registry: ctx.app.registry, pubsub: ctx.app.pubsub, secrets: ctx.app.secrets, log: ctx.app.log, run: runCommand, maxBulk: ctx.app.config.maxBulk, rate: { perUserPerMinute: ctx.app.config.actionRatePerUser, globalPerMinute: ctx.app.config.actionRateGlobal } },
      ctx.principal,
      { ...request, requestId: ctx.requestId },
    ) as Promise<BulkShape>,
  cached<T>(ctx: Context, key: string, load: () => Promise<T>): Promise<T> {
    let cache = requestCaches.get(ctx);
    if (!cache) requestCaches.set(ctx, (cache = new Map()));
    let p = cache.get(key) as Promise<T> | undefined;
    if (!p) cache.set(key, (p = load()));
    return p;
  },
};

builder.mutationField('runAction', (t) =>
  t.field({
    type: BulkResult,
    description: 'Runs any plugin action (see actionKinds) on hosts, with the same grants, reasons, limits and audit as the named mutations.',
    authScopes: { operator: true },
    args: {
      id: t.arg.string({ required: true }),
      hosts: t.arg.stringList({ required: true }),
      params: t.arg({ type: 'JSON', required: false }),
      reason: t.arg.string({ required: false }),
      dryRun: t.arg.boolean({ required: false }),
      force: t.arg.boolean({ required: false }),
      idempotencyKey: t.arg.string({ required: false }),
    },
    resolve: (_root, args, ctx) => schemaRefs.runAction(ctx, { actionId: args.id, hosts: [...args.hosts], params: args.params ?? {}, reason: args.reason, dryRun: args.dryRun, force: args.force, idempotencyKey: args.idempotencyKey }),
  }),
);

const RecommendationRef = builder.objectRef<{ action: string; confidence: number; explanation: string }>('Recommendation').implement({
  fields: (t) => ({
    action: t.exposeString('action'),
    confidence: t.exposeFloat('confidence'),
    explanation: t.exposeString('explanation'),
  }),
});

const PluginSettingsRef = builder.objectRef<{ plugin: string; settings: Record<string, unknown> }>('PluginSettings').implement({
  description: 'One plugin’s settings for a host; secret fields appear only as hasX: true.',
  fields: (t) => ({
    plugin: t.exposeString('plugin'),
    settings: t.field({ type: 'JSON', resolve: (s) => s.settings }),
  }),
});

builder.objectFields(Host, (t) => ({
  recommendations: t.field({
    type: [RecommendationRef],
    description: 'What the recommendation rules suggest for this host, most confident first, with the reasons.',
    resolve: (h, _a, ctx) => recommendationLoader(ctx).load(h),
  }),
  settings: t.field({
    type: [PluginSettingsRef],
    authScopes: { operator: true },
    resolve: (h, _a, ctx) => readPublicSettings(ctx.app.db, ctx.app.registry, ctx.app.secrets, h.id),
  }),
  canOperate: t.boolean({
    description: 'Whether the caller holds operator rights on this host (for showing action buttons).',
    resolve: async (h, _a, ctx) =>
      mayActOnHost(
        ctx.principal,
        'OPERATOR',
        (await ctx.loaders.groupsOfHost.load(h.id)).map((g) => g.id),
      ),
  }),
}));

builder.mutationField('setHostSettings', (t) =>
  t.field({
    type: PluginSettingsRef,
    description: 'Sets one plugin’s connection settings for a host (validated by the plugin; secrets write-only; a secret left out is kept).',
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'SetHostSettingsResult' } },
    args: { host: t.arg.string({ required: true }), plugin: t.arg.string({ required: true }), settings: t.arg({ type: 'JSON', required: true }) },
    resolve: async (_root, args, ctx) => {
      const [host] = await ctx.app.db.select().from(hosts).where(eq(hosts.name, args.host));
      if (!host) throw new NotFoundError(`unknown host: ${args.host}`, 'host');
      const settings = await setHostSettings(ctx.app.db, ctx.app.registry, ctx.app.secrets, host.id, args.plugin, args.settings);
      // The audit shows which fields changed, never their secret values.
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'host.settings', targets: [host.name], outcome: 'OK', details: { plugin: args.plugin, fields: Object.keys(args.settings as object) }, requestId: ctx.requestId });
      return { plugin: args.plugin, settings };
    },
  }),
);
