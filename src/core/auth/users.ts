/** Users, grants, login sessions and API tokens. */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { apiTokens, grants, type Role, users } from '../../db/tables/auth.js';
import { groups } from '../../db/tables/inventory.js';
import { ConflictError, NotFoundError, RateLimitedError, ValidationError } from '../errors.js';
import { hitLimits, refundLimits } from '../rate-limit.js';
import { DUMMY_HASH, hashPassword, verifyPassword } from './passwords.js';
import { ROLE_RANK, type UserPrincipal } from './principal.js';
import { generateToken } from './tokens.js';

export type UserRow = typeof users.$inferSelect;

const USERNAME = /^[a-z_][a-z0-9_.-]{0,31}$/;

export function validateUsername(name: string): void {
  if (!USERNAME.test(name)) throw new ValidationError('username must be 1-32 characters: lower-case letters, digits, _ . - (not starting with a digit, . or -)', 'username');
}

export function validatePassword(password: string): void {
  if (password.length < 8) throw new ValidationError('password must be at least 8 characters', 'password');
  if (password.length > 1024) throw new ValidationError('password is too long', 'password');
}

async function groupIdsByName(db: Db, names: string[], field: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (names.length === 0) return map;
  const rows = await db.select({ id: groups.id, name: groups.name }).from(groups).where(inArray(groups.name, names));
  for (const r of rows) map.set(r.name, r.id);
  const missing = names.filter((n) => !map.has(n));
  if (missing.length) throw new NotFoundError(`unknown group: ${missing.join(', ')}`, field);
  return map;
}

export interface CreateUserInput {
  username: string;
  password: string;
  role: Role;
  /** Empty or absent: the role applies everywhere; otherwise only in these groups. */
  groups?: string[] | null;
  /** The password's hash when already being computed (must be hashPassword(password)). */
  passwordHash?: Promise<string>;
}

export async function createUser(db: Db, input: CreateUserInput): Promise<UserRow> {
  validateUsername(input.username);
  validatePassword(input.password);
  const groupIds = await groupIdsByName(db, input.groups ?? [], 'groups');
  const passwordHash = await (input.passwordHash ?? hashPassword(input.password));
  return db.transaction(async (tx) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.username, input.username));
    if (existing) throw new ConflictError(`user ${input.username} already exists`, 'username');
    const [user] = await tx.insert(users).values({ username: input.username, passwordHash }).returning();
    const grantRows = groupIds.size ? [...groupIds.values()].map((groupId) => ({ userId: user!.id, role: input.role, groupId })) : [{ userId: user!.id, role: input.role, groupId: null }];
    await tx.insert(grants).values(grantRows);
    return user!;
  });
}

export async function setUserGrants(db: Db, username: string, role: Role | null, groupNames: string[] | null): Promise<UserRow> {
  const [user] = await db.select().from(users).where(eq(users.username, username));
  if (!user) throw new NotFoundError(`unknown user: ${username}`, 'username');
  const groupIds = await groupIdsByName(db, groupNames ?? [], 'groups');
  await db.transaction(async (tx) => {
    await tx.delete(grants).where(eq(grants.userId, user.id));
    if (role) {
      const rows = groupIds.size ? [...groupIds.values()].map((groupId) => ({ userId: user.id, role, groupId })) : [{ userId: user.id, role, groupId: null }];
      await tx.insert(grants).values(rows);
    }
  });
  return user;
}

export async function setUserDisabled(db: Db, username: string, disabled: boolean): Promise<UserRow> {
  const [user] = await db.update(users).set({ disabled }).where(eq(users.username, username)).returning();
  if (!user) throw new NotFoundError(`unknown user: ${username}`, 'username');
  if (disabled) await db.update(apiTokens).set({ revokedAt: new Date() }).where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)));
  return user;
}

export async function changePassword(db: Db, userId: string, password: string): Promise<void> {
  validatePassword(password);
  await db.update(users).set({ passwordHash: await hashPassword(password) }).where(eq(users.id, userId));
}

export const LOGIN_LIMITS = { perAddressPerMinute: 5, perAccountPer15Min: 10 };
const LOGIN_FAILED = 'invalid username or password';

/**
 * Verifies a password and opens a session token. Unknown user and wrong password give the same
 * error and take the same time; attempts are counted per address and per account in Postgres.
 */
export async function login(db: Db, username: string, password: string, clientAddress: string, ttlHours: number): Promise<{ token: string; user: UserRow; expiresAt: Date }> {
  const now = new Date();
  const limits = [
    { key: `login:addr:${clientAddress}`, max: LOGIN_LIMITS.perAddressPerMinute, windowS: 60 },
    { key: `login:user:${username.toLowerCase().slice(0, 64)}`, max: LOGIN_LIMITS.perAccountPer15Min, windowS: 900 },
  ];
  const limited = await hitLimits(db, limits, now);
  if (limited) throw new RateLimitedError(`too many login attempts; try again in ${limited.windowS >= 900 ? '15 minutes' : 'a minute'}`);
  const [user] = await db.select().from(users).where(eq(users.username, username));
  const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || user.disabled) throw new ValidationError(LOGIN_FAILED);
  // Only failures count: a successful login gives its hit back.
  await refundLimits(db, limits, now);
  const { token, hash } = generateToken();
  const expiresAt = new Date(Date.now() + ttlHours * 3600_000);
  await db.insert(apiTokens).values({ kind: 'SESSION', name: 'login', tokenHash: hash, userId: user.id, expiresAt });
  return { token, user, expiresAt };
}

export interface CreateTokenInput {
  name: string;
  role?: Role | null;
  groups?: string[] | null;
  expiresInDays?: number | null;
}

/** An API token for scripts: at most the caller's own rights (a role it holds, groups it may use). */
export async function createApiToken(db: Db, owner: UserPrincipal, input: CreateTokenInput) {
  if (!input.name.trim() || input.name.length > 100) throw new ValidationError('token name must be 1-100 characters', 'name');
  const ownerBest = owner.grants.reduce((m, g) => Math.max(m, ROLE_RANK[g.role]), 0);
  if (input.role && ROLE_RANK[input.role] > ownerBest) throw new ValidationError(`a token cannot have more than your own role`, 'role');
  if (input.groups?.length) await groupIdsByName(db, input.groups, 'groups');
  const { token, hash } = generateToken();
  const [row] = await db
    .insert(apiTokens)
    .values({
      kind: 'API',
      name: input.name.trim(),
      tokenHash: hash,
      userId: owner.userId,
      maxRole: input.role ?? null,
      groupNames: input.groups?.length ? input.groups : null,
      expiresAt: input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null,
    })
    .returning();
  return { token, row: row! };
}

/** Revokes a token the caller owns (admins: any). Returns the row, or throws NOT_FOUND. */
export async function revokeToken(db: Db, tokenId: string, by: UserPrincipal, isAdmin: boolean) {
  const where = isAdmin ? eq(apiTokens.id, tokenId) : and(eq(apiTokens.id, tokenId), eq(apiTokens.userId, by.userId));
  const [row] = await db.update(apiTokens).set({ revokedAt: new Date() }).where(and(where, isNull(apiTokens.revokedAt))).returning();
  if (!row) throw new NotFoundError('no such active token', 'id');
  return row;
}

/** First start with no users: creates `admin`; returns the generated password if one was made. */
/**
 * `configuredHash`: the configured password's hash, when the caller started it early (a first
 * start then does not wait for scrypt after the database opens).
 */
export async function bootstrapAdmin(
  db: Db,
  configured: string | undefined,
  configuredHash?: Promise<string>,
): Promise<{ created: boolean; generatedPassword?: string }> {
  const [any] = await db.select({ id: users.id }).from(users).limit(1);
  if (any) return { created: false };
  const password = configured ?? generateToken().token.slice(4, 24);
  await createUser(db, { username: 'admin', password, role: 'ADMIN', passwordHash: configured ? configuredHash : undefined });
  return { created: true, generatedPassword: configured ? undefined : password };
}
