/** Users, grants, login and API tokens. */
import { and, desc, eq } from 'drizzle-orm';
import { writeAudit } from '../core/audit.js';
import { highestRole, hasGlobalRole } from '../core/auth/principal.js';
import { createApiToken, createUser, login, revokeToken, setUserDisabled, setUserGrants } from '../core/auth/users.js';
import { loadGrants } from '../core/auth/authenticate.js';
import { RateLimitedError, ValidationError } from '../core/errors.js';
import { apiTokens, ROLES, users } from '../db/tables/auth.js';
import { builder } from './builder.js';
import { INPUT_ERRORS } from './errors.js';

type UserShape = typeof users.$inferSelect;
type TokenShape = typeof apiTokens.$inferSelect;

export const RoleEnum = builder.enumType('Role', { values: ROLES });

const GrantRef = builder.objectRef<{ role: (typeof ROLES)[number]; groupName: string | null }>('Grant').implement({
  description: 'A role, everywhere (group null) or within one group.',
  fields: (t) => ({
    role: t.field({ type: RoleEnum, resolve: (g) => g.role }),
    group: t.exposeString('groupName', { nullable: true }),
  }),
});

export const User = builder.objectRef<UserShape>('User').implement({
  fields: (t) => ({
    id: t.exposeID('id'),
    username: t.exposeString('username'),
    disabled: t.exposeBoolean('disabled'),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    grants: t.field({ type: [GrantRef], resolve: (u, _a, ctx) => loadGrants(ctx.app.db, u.id) }),
    role: t.field({
      type: RoleEnum,
      nullable: true,
      description: 'The highest role held anywhere.',
      resolve: async (u, _a, ctx) => highestRole({ kind: 'user', userId: u.id, username: u.username, tokenId: '', grants: await loadGrants(ctx.app.db, u.id) }),
    }),
  }),
});

const ApiToken = builder.objectRef<TokenShape>('ApiToken').implement({
  description: 'A bearer token; its secret is shown once at creation and only a hash is stored.',
  fields: (t) => ({
    id: t.exposeID('id'),
    name: t.exposeString('name'),
    kind: t.exposeString('kind'),
    role: t.field({ type: RoleEnum, nullable: true, description: 'Maximum role (null: the owner’s)', resolve: (tk) => tk.maxRole }),
    groups: t.stringList({ nullable: true, resolve: (tk) => tk.groupNames }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true }),
  }),
});

builder.queryFields((t) => ({
  viewer: t.field({
    type: User,
    nullable: true,
    description: 'The logged-in user (null when not logged in or acting as an agent).',
    resolve: async (_root, _args, ctx) => {
      if (ctx.principal.kind !== 'user') return null;
      return (await ctx.app.db.select().from(users).where(eq(users.id, ctx.principal.userId)))[0] ?? null;
    },
  }),
  users: t.field({
    type: [User],
    authScopes: { admin: true },
    resolve: (_root, _args, ctx) => ctx.app.db.select().from(users).orderBy(users.username),
  }),
  apiTokens: t.field({
    type: [ApiToken],
    description: 'Your API tokens (admins: everyone’s, with all: true).',
    authScopes: { user: true },
    args: { all: t.arg.boolean({ required: false }) },
    resolve: (_root, args, ctx) => {
      if (ctx.principal.kind !== 'user') return [];
      const all = args.all && hasGlobalRole(ctx.principal, 'ADMIN');
      return ctx.app.db
        .select()
        .from(apiTokens)
        .where(all ? eq(apiTokens.kind, 'API') : and(eq(apiTokens.kind, 'API'), eq(apiTokens.userId, ctx.principal.userId)))
        .orderBy(desc(apiTokens.createdAt));
    },
  }),
}));

const LoginSuccess = builder.objectRef<{ token: string; user: UserShape; expiresAt: Date }>('LoginSuccess').implement({
  fields: (t) => ({
    token: t.exposeString('token'),
    user: t.field({ type: User, resolve: (r) => r.user }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
  }),
});

const CreateUserInput = builder.inputType('CreateUserInput', {
  fields: (t) => ({
    username: t.string({ required: true }),
    password: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: true }),
    groups: t.stringList({ required: false, description: 'Scope the role to these groups; empty means everywhere' }),
  }),
});

const CreateApiTokenInput = builder.inputType('CreateApiTokenInput', {
  fields: (t) => ({
    name: t.string({ required: true }),
    role: t.field({ type: RoleEnum, required: false, description: 'At most your own role' }),
    groups: t.stringList({ required: false }),
    expiresInDays: t.int({ required: false }),
  }),
});

const UserPayload = builder.objectRef<{ user: UserShape }>('UserPayload').implement({
  fields: (t) => ({ user: t.field({ type: User, resolve: (p) => p.user }) }),
});

const CreatedToken = builder.objectRef<{ token: string; apiToken: TokenShape }>('CreatedApiToken').implement({
  fields: (t) => ({
    token: t.exposeString('token', { description: 'The secret: shown now and never again.' }),
    apiToken: t.field({ type: ApiToken, resolve: (r) => r.apiToken }),
  }),
});

builder.mutationFields((t) => ({
  login: t.field({
    type: LoginSuccess,
    description: 'Exchanges a username and password for a session token (Authorization: Bearer …).',
    errors: { types: [ValidationError, RateLimitedError], union: { name: 'LoginResult' } },
    args: { username: t.arg.string({ required: true }), password: t.arg.string({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const result = await login(ctx.app.db, args.username, args.password, ctx.clientAddress, ctx.app.config.sessionTtlHours);
      return result;
    },
  }),
  logout: t.field({
    type: 'Boolean',
    authScopes: { user: true },
    resolve: async (_root, _args, ctx) => {
      if (ctx.principal.kind !== 'user') return false;
      await ctx.app.db.update(apiTokens).set({ revokedAt: new Date() }).where(and(eq(apiTokens.id, ctx.principal.tokenId), eq(apiTokens.kind, 'SESSION')));
      await ctx.app.pubsub.publish('tokenRevoked', { tokenId: ctx.principal.tokenId });
      return true;
    },
  }),
  createUser: t.field({
    type: UserPayload,
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'CreateUserResult' } },
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const user = await createUser(ctx.app.db, input);
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'user.create', outcome: 'OK', details: { username: user.username, role: input.role, groups: input.groups ?? [] }, requestId: ctx.requestId });
      return { user };
    },
  }),
  setUserGrants: t.field({
    type: UserPayload,
    description: 'Replaces a user’s grants: one role, everywhere or within groups (role null removes all).',
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'SetUserGrantsResult' } },
    args: { username: t.arg.string({ required: true }), role: t.arg({ type: RoleEnum, required: false }), groups: t.arg.stringList({ required: false }) },
    resolve: async (_root, args, ctx) => {
      const user = await setUserGrants(ctx.app.db, args.username, args.role ?? null, args.groups ?? null);
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'user.grants', outcome: 'OK', details: { username: args.username, role: args.role, groups: args.groups ?? [] }, requestId: ctx.requestId });
      return { user };
    },
  }),
  setUserDisabled: t.field({
    type: UserPayload,
    description: 'Disabling a user revokes all their tokens at once.',
    authScopes: { admin: true },
    errors: { types: INPUT_ERRORS, union: { name: 'SetUserDisabledResult' } },
    args: { username: t.arg.string({ required: true }), disabled: t.arg.boolean({ required: true }) },
    resolve: async (_root, args, ctx) => {
      const user = await setUserDisabled(ctx.app.db, args.username, args.disabled);
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: args.disabled ? 'user.disable' : 'user.enable', outcome: 'OK', details: { username: args.username }, requestId: ctx.requestId });
      if (args.disabled) {
        const tokens = await ctx.app.db.select({ id: apiTokens.id }).from(apiTokens).where(eq(apiTokens.userId, user.id));
        for (const tk of tokens) await ctx.app.pubsub.publish('tokenRevoked', { tokenId: tk.id });
      }
      return { user };
    },
  }),
  createApiToken: t.field({
    type: CreatedToken,
    authScopes: { user: true },
    errors: { types: INPUT_ERRORS, union: { name: 'CreateApiTokenResult' } },
    args: { input: t.arg({ type: CreateApiTokenInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      if (ctx.principal.kind !== 'user') throw new ValidationError('only users create API tokens');
      const { token, row } = await createApiToken(ctx.app.db, ctx.principal, input);
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'token.create', outcome: 'OK', details: { name: row.name, role: row.maxRole, groups: row.groupNames }, requestId: ctx.requestId });
      return { token, apiToken: row };
    },
  }),
  revokeApiToken: t.field({
    type: ApiToken,
    authScopes: { user: true },
    errors: { types: INPUT_ERRORS, union: { name: 'RevokeApiTokenResult' } },
    args: { id: t.arg.id({ required: true }) },
    resolve: async (_root, args, ctx) => {
      if (ctx.principal.kind !== 'user') throw new ValidationError('only users revoke API tokens');
      if (!/^[0-9a-f-]{36}$/i.test(String(args.id))) throw new ValidationError('invalid token id', 'id');
      const row = await revokeToken(ctx.app.db, String(args.id), ctx.principal, hasGlobalRole(ctx.principal, 'ADMIN'));
      await writeAudit(ctx.app.db, ctx.app.pubsub, { principal: ctx.principal, action: 'token.revoke', outcome: 'OK', details: { name: row.name, id: row.id }, requestId: ctx.requestId });
      await ctx.app.pubsub.publish('tokenRevoked', { tokenId: row.id });
      return row;
    },
  }),
}));
