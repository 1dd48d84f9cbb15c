/** Check definitions: list and CRUD (operators; exec-like kinds admins only). */
import { writeAudit } from '../core/audit.js';
import { createCheckDefinition, deleteCheckDefinition, updateCheckDefinition } from '../core/checks/definitions.js';
import { checkDefinitions } from '../db/tables/checks.js';
import { builder } from './builder.js';
import { CheckDefinitionRef } from './check-definition-ref.js';
import { INPUT_ERRORS } from './errors.js';
import { pageByName, } from './pagination.js';

CheckDefinitionRef.implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    params: t.field({ type: 'JSON', resolve: (d) => d.params }),
    hosts: t.stringList({
      description: 'Target host arguments (names and @groups); empty when the check applies to all hosts',
      resolve: (d) => (d.target.all ? [] : [...(d.target.hosts ?? []), ...(d.target.groups ?? []).map((g) => `@${g}`)]),
    }),
    allHosts: t.boolean({ resolve: (d) => !!d.target.all }),
    intervalS: t.exposeInt('intervalS'),
    timeoutS: t.exposeInt('timeoutS'),
    failThreshold: t.exposeInt('failThreshold'),
    okThreshold: t.exposeInt('okThreshold'),
    enabled: t.exposeBoolean('enabled'),
  }),
});

builder.queryFields((t) => ({
  checkDefinitions: t.connection(
    {
      type: CheckDefinitionRef,
      authScopes: { authenticated: true },
      resolve: (_root, args, ctx) => pageByName(ctx.app.db, checkDefinitions, args),
    },
    {},
    {},
  ),
}));

const CreateCheckInput = builder.inputType('CreateCheckInput', {
  fields: (t) => ({
    kind: t.string({ required: true }),
    name: t.string({ required: true }),
    params: t.field({ type: 'JSON', required: false }),
    hosts: t.stringList({ required: false, description: 'Names, ranges and @groups; omit for all hosts' }),
    intervalS: t.int({ required: false }),
    timeoutS: t.int({ required: false }),
    failThreshold: t.int({ required: false, description: 'Consecutive failures before the state turns bad (default 3)' }),
    okThreshold: t.int({ required: false, description: 'Consecutive successes before it recovers (default 2)' }),
    enabled: t.boolean({ required: false }),
  }),
});

const UpdateCheckInput = builder.inputType('UpdateCheckInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    params: t.field({ type: 'JSON', required: false }),
    hosts: t.stringList({ required: false }),
    allHosts: t.boolean({ required: false }),
    intervalS: t.int({ required: false }),
    timeoutS: t.int({ required: false }),
    failThreshold: t.int({ required: false }),
    okThreshold: t.int({ required: false }),
    enabled: t.boolean({ required: false }),
  }),
});

const CheckPayload = builder.objectRef<{ check: typeof checkDefinitions.$inferSelect }>('CheckPayload').implement({
  fields: (t) => ({ check: t.field({ type: CheckDefinitionRef, resolve: (p) => p.check }) }),
});

builder.mutationFields((t) => ({
  createCheck: t.field({
    type: CheckPayload,
    authScopes: { operator: true },
    errors: { types: INPUT_ERRORS, union: { name: 'CreateCheckResult' } },
    args: { input: t.arg({ type: CreateCheckInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const check = await createCheckDefinition(ctx.app.db, ctx.app.registry, ctx.principal, input);
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'check.create', outcome: 'OK', details: { name: check.name, kind: check.kind, params: check.params, target: check.target }, requestId: ctx.requestId });
      await ctx.app.pubsub.publish('checksChanged', {});
      return { check };
    },
  }),
  updateCheck: t.field({
    type: CheckPayload,
    authScopes: { operator: true },
    errors: { types: INPUT_ERRORS, union: { name: 'UpdateCheckResult' } },
    args: { input: t.arg({ type: UpdateCheckInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const check = await updateCheckDefinition(ctx.app.db, ctx.app.registry, ctx.principal, input.name, { ...input, all: input.allHosts });
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'check.update', outcome: 'OK', details: { name: check.name, input }, requestId: ctx.requestId });
      await ctx.app.pubsub.publish('checksChanged', {});
      return { check };
    },
  }),
  deleteCheck: t.field({
    type: 'Boolean',
    authScopes: { operator: true },
    args: { name: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const deleted = await deleteCheckDefinition(ctx.app.db, args.name);
      if (deleted) await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'check.delete', outcome: 'OK', details: { name: args.name }, requestId: ctx.requestId });
      await ctx.app.pubsub.publish('checksChanged', {});
      return deleted;
    },
  }),
}));
