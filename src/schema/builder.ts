/** The Pothos builder's configuration only; types live one file per domain. */
import SchemaBuilder from '@pothos/core';
import ComplexityPlugin from '@pothos/plugin-complexity';
import DataloaderPlugin from '@pothos/plugin-dataloader';
import ErrorsPlugin from '@pothos/plugin-errors';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import { GraphQLError } from 'graphql';
import { writeAudit } from '../core/audit.js';
import { hasGlobalRole, hasRoleSomewhere } from '../core/auth/principal.js';
import type { Context } from './context.js';
import { COST_LIMIT } from './limits.js';

export const builder = new SchemaBuilder<{
  Context: Context;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
  };
  AuthScopes: { authenticated: boolean; operator: boolean; admin: boolean; agent: boolean; user: boolean };
}>({
  plugins: [ScopeAuthPlugin, ErrorsPlugin, RelayPlugin, DataloaderPlugin, ComplexityPlugin],
  defaultFieldNullability: false,
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ({
      authenticated: ctx.principal.kind !== 'anonymous',
      user: ctx.principal.kind === 'user',
      operator: hasRoleSomewhere(ctx.principal, 'OPERATOR'),
      admin: hasGlobalRole(ctx.principal, 'ADMIN'),
      agent: ctx.principal.kind === 'agent',
    }),
    unauthorizedError: (_parent, ctx, info) => {
      // Every refused mutation leaves an audit event (fire and forget: the refusal must not wait on it).
      if (info.parentType.name === 'Mutation' && ctx.principal.kind !== 'anonymous') {
        void writeAudit(ctx.app.db, ctx.app.pubsub, {
          principal: ctx.principal,
          action: `graphql.${info.fieldName}`,
          outcome: 'DENIED',
          details: { refusal: 'role does not allow this mutation' },
          requestId: ctx.requestId,
        }).catch(() => {});
      }
      return ctx.principal.kind === 'anonymous'
        ? new GraphQLError('authentication required: log in or send a bearer token', { extensions: { code: 'UNAUTHENTICATED' } })
        : new GraphQLError('not allowed for your role', { extensions: { code: 'FORBIDDEN' } });
    },
  },
  errors: { directResult: true },
  relay: { clientMutationId: 'omit', cursorType: 'String' },
  complexity: {
    // Lists cost 1 and multiply their selection by `first` (or 10); single objects and scalars are
    // free; a connection's edges/node are not multiplied again.
    fieldComplexity: (args, _ctx, field) => {
      const first = typeof (args as { first?: unknown }).first === 'number' ? (args as { first: number }).first : null;
      const typeName = String(field.type);
      const isList = typeName.replace(/!$/, '').startsWith('[');
      if (field.name === 'edges' || field.name === 'node') return { field: 0, multiplier: 1 };
      const isConnection = typeName.replace(/!$/, '').endsWith('Connection');
      if (isConnection) return { field: 1, multiplier: first ?? 50 };
      return { field: isList ? 1 : 0, multiplier: isList ? (first ?? 10) : 1 };
    },
    limit: { complexity: COST_LIMIT, depth: 100, breadth: 10_000 },
    complexityError: (kind, result) =>
      new GraphQLError(`query too expensive: cost ${result.complexity} exceeds the limit of ${COST_LIMIT} (${kind}); ask for fewer items with first`, {
        extensions: { code: 'QUERY_TOO_COMPLEX' },
      }),
  },
});

builder.scalarType('DateTime', {
  serialize: (v) => (v instanceof Date ? v.toISOString() : new Date(v).toISOString()),
  parseValue: (v) => {
    const d = new Date(String(v));
    if (Number.isNaN(d.getTime())) throw new GraphQLError('DateTime must be an ISO 8601 date-time');
    return d;
  },
});
builder.scalarType('JSON', { serialize: (v) => v, parseValue: (v) => v });

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});
