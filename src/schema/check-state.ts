/** CheckState (latest per host × check) and the registry's check kinds and plugins. */
import { jsonSchemaOf } from '../core/plugin-registry.js';
import { CHECK_STATUSES } from '../core/plugin.js';
import { builder } from './builder.js';
import { CheckDefinitionRef } from './check-definition-ref.js';
import { CheckStateRef } from './check-state-ref.js';

export const CheckStatusEnum = builder.enumType('CheckStatus', { values: CHECK_STATUSES });

CheckStateRef.implement({
  description: 'The latest state of one check on one host (debounced: see consecutiveFailures).',
  fields: (t) => ({
    kind: t.exposeString('kind'),
    check: t.field({
      type: CheckDefinitionRef,
      resolve: (s, _a, ctx) => ctx.loaders.checkDefinition.load(s.checkId),
    }),
    checkName: t.field({
      type: 'String',
      resolve: async (s, _a, ctx) => (await ctx.loaders.checkDefinition.load(s.checkId)).name,
    }),
    status: t.field({ type: CheckStatusEnum, resolve: (s) => s.status }),
    lastStatus: t.field({ type: CheckStatusEnum, description: 'Status of the latest raw result, before hysteresis', resolve: (s) => s.lastStatus }),
    summary: t.exposeString('summary'),
    metrics: t.field({ type: 'JSON', nullable: true, resolve: (s) => s.metrics }),
    observedAt: t.expose('observedAt', { type: 'DateTime' }),
    since: t.expose('since', { type: 'DateTime' }),
    consecutiveFailures: t.exposeInt('consecutiveFailures'),
    nextDueAt: t.expose('nextDueAt', { type: 'DateTime' }),
    backoffS: t.exposeInt('backoffS', { description: 'Circuit breaker: seconds between probes while the host keeps failing (0 when healthy)' }),
    durationMs: t.exposeFloat('durationMs'),
  }),
});

const CheckKindRef = builder.objectRef<{ name: string; plugin: string; description: string; params: unknown; intervalS: number; timeoutS: number; adminOnly: boolean }>('CheckKind').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    plugin: t.exposeString('plugin'),
    description: t.exposeString('description'),
    paramsSchema: t.field({ type: 'JSON', description: 'JSON schema of the params', resolve: (k) => k.params }),
    defaultIntervalS: t.exposeInt('intervalS'),
    defaultTimeoutS: t.exposeInt('timeoutS'),
    adminOnly: t.exposeBoolean('adminOnly'),
  }),
});

const ActionKindRef = builder.objectRef<{ id: string; plugin: string; description: string; params: unknown; minRole: string; dangerous: boolean }>('ActionKind').implement({
  fields: (t) => ({
    id: t.exposeString('id'),
    plugin: t.exposeString('plugin'),
    description: t.exposeString('description'),
    paramsSchema: t.field({ type: 'JSON', resolve: (k) => k.params }),
    minRole: t.exposeString('minRole'),
    dangerous: t.exposeBoolean('dangerous'),
  }),
});

const PluginInfo = builder.objectRef<{ name: string; description: string }>('PluginInfo').implement({
  fields: (t) => ({
    name: t.exposeString('name'),
    description: t.exposeString('description'),
    checkKinds: t.stringList({ resolve: (p, _a, ctx) => Object.keys(ctx.app.registry.plugin(p.name)?.checks ?? {}) }),
    actions: t.stringList({ resolve: (p, _a, ctx) => Object.keys(ctx.app.registry.plugin(p.name)?.actions ?? {}) }),
    hostSettingsSchema: t.field({
      type: 'JSON',
      nullable: true,
      description: 'JSON schema of the per-host settings; secret fields are listed in secretFields',
      resolve: (p, _a, ctx) => {
        const spec = ctx.app.registry.settings.get(p.name);
        return spec ? jsonSchemaOf(spec.schema) : null;
      },
    }),
    secretFields: t.stringList({ resolve: (p, _a, ctx) => [...(ctx.app.registry.settings.get(p.name)?.secrets ?? [])] }),
  }),
});

builder.queryFields((t) => ({
  checkKinds: t.field({
    type: [CheckKindRef],
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) =>
      [...ctx.app.registry.checkKinds.values()].map((k) => ({
        name: k.name,
        plugin: k.plugin,
        description: k.kind.description,
        params: jsonSchemaOf(k.kind.params),
        intervalS: k.kind.defaults.intervalS,
        timeoutS: k.kind.defaults.timeoutS,
        adminOnly: k.kind.adminOnly ?? false,
      })),
  }),
  actionKinds: t.field({
    type: [ActionKindRef],
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) =>
      [...ctx.app.registry.actions.values()].map((a) => ({
        id: a.id,
        plugin: a.plugin,
        description: a.action.description,
        params: jsonSchemaOf(a.action.params),
        minRole: a.action.minRole.toUpperCase(),
        dangerous: a.action.dangerous,
      })),
  }),
  plugins: t.field({
    type: [PluginInfo],
    authScopes: { authenticated: true },
    resolve: (_r, _a, ctx) => ctx.app.registry.plugins.map((p) => ({ name: p.name, description: p.description })),
  }),
}));
