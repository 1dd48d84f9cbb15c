/**
 * Who may do what: anonymous, viewer, group-scoped operator, admin; API tokens (hashed, narrowed,
 * revocable); scrypt passwords; login rate limits kept in the database.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/rows.js';
import { expectCode } from '../helpers/gql.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const HOSTS = `{ hosts(first: 100) { edges { node { name enabled } } } }`;
const SET_ENABLED = `mutation($h:[String!]!,$e:Boolean!){ setHostsEnabled(hosts:$h, enabled:$e, reason:"maintenance window"){ outcomes { host ok } } }`;
const CREATE_HOST = `mutation($n:String!){ createHost(input:{ name:$n }){ __typename } }`;
const CREATE_TOKEN = `mutation($i: CreateApiTokenInput!){ createApiToken(input:$i){ __typename ... on CreatedApiToken { token apiToken { id name role lastUsedAt } } ... on Error { message } } }`;

const enabledOf = async (s: TestServer, name: string) => (await s.gql(`query($n:String!){ host(name:$n){ enabled } }`, { n: name }, s.adminToken)).data.host.enabled as boolean;

describe('roles', () => {
  let s: TestServer;
  let viewer: string;
  let renderOp: string;
  beforeAll(async () => {
    s = await startTestServer();
    await seed(s.server.app.db).host('r01', { groups: ['render'] }).host('r02', { groups: ['render'] }).host('c01', { groups: ['compute'] }).done();
    viewer = await s.userToken('vera', 'VIEWER');
    renderOp = await s.userToken('otto', 'OPERATOR', ['render']);
  });
  afterAll(async () => s?.stop());

  it('an unauthenticated request sees nothing but login', async () => {
    const r = await s.gql(HOSTS, {}, null);
    expectCode(r, 'UNAUTHENTICATED');
    expect(r.data?.hosts ?? null).toBeNull();
    const v = await s.gql(`{ viewer { username } }`, {}, null);
    expect(v.data?.viewer).toBeNull();
    for (const q of [`{ auditEvents { edges { node { action } } } }`, `{ group(name:"render"){ name } }`, `{ host(name:"r01"){ name } }`]) {
      expectCode(await s.gql(q, {}, null), 'UNAUTHENTICATED');
    }
    expectCode(await s.gql(SET_ENABLED, { h: ['r01'], e: false }, null), 'UNAUTHENTICATED');
    expectCode(await s.gql(CREATE_HOST, { n: 'anon1' }, null), 'UNAUTHENTICATED');
    // A garbage bearer token is the same as none.
    expectCode(await s.gql(HOSTS, {}, 'crl_not-a-real-token'), 'UNAUTHENTICATED');
    expect(await enabledOf(s, 'r01')).toBe(true);
  });

  it('a viewer reads hosts but may not change them', async () => {
    const r = await s.gql(HOSTS, {}, viewer);
    expect(r.data.hosts.edges.map((e: { node: { name: string } }) => e.node.name)).toEqual(['c01', 'r01', 'r02']);
    const me = await s.gql(`{ viewer { username role } }`, {}, viewer);
    expect(me.data.viewer).toEqual({ username: 'vera', role: 'VIEWER' });
    expectCode(await s.gql(SET_ENABLED, { h: ['r01'], e: false }, viewer), 'FORBIDDEN');
    expectCode(await s.gql(CREATE_HOST, { n: 'v1' }, viewer), 'FORBIDDEN');
    expectCode(await s.gql(`{ users { username } }`, {}, viewer), 'FORBIDDEN');
    expect(await enabledOf(s, 'r01')).toBe(true);
    expect((await s.gql(`{ host(name:"v1"){ name } }`, {}, s.adminToken)).data.host).toBeNull();
  });

  it('a render-scoped operator changes render hosts only; a refusal changes nothing and is audited as DENIED', async () => {
    const ok = await s.gql(SET_ENABLED, { h: ['r01'], e: false }, renderOp);
    expect(ok.errors).toBeUndefined();
    expect(ok.data.setHostsEnabled.outcomes).toEqual([{ host: 'r01', ok: true }]);
    expect(await enabledOf(s, 'r01')).toBe(false);

    const outside = await s.gql(SET_ENABLED, { h: ['c01'], e: false }, renderOp);
    expectCode(outside, 'FORBIDDEN');
    expect(outside.errors![0]!.message).toContain('c01');
    expect(await enabledOf(s, 'c01')).toBe(true);

    // A mix: r02 is allowed, c01 is not, so neither changes.
    const mixed = await s.gql(SET_ENABLED, { h: ['r02', 'c01'], e: false }, renderOp);
    expectCode(mixed, 'FORBIDDEN');
    expect(await enabledOf(s, 'r02')).toBe(true);
    expect(await enabledOf(s, 'c01')).toBe(true);
    // @render resolves to render hosts only: allowed.
    const byGroup = await s.gql(SET_ENABLED, { h: ['@render'], e: true }, renderOp);
    expect(byGroup.data.setHostsEnabled.outcomes.map((o: { host: string }) => o.host)).toEqual(['r01', 'r02']);

    const audit = await s.gql(`{ auditEvents(filter:{ actor:"otto", outcome:[DENIED] }){ edges { node { action targets outcome details } } } }`, {}, s.adminToken);
    const denied = audit.data.auditEvents.edges.map((e: { node: unknown }) => e.node);
    expect(denied).toHaveLength(2);
    expect(denied).toContainEqual(expect.objectContaining({ action: 'host.disable', targets: ['r02', 'c01'].sort(), outcome: 'DENIED' }));
    expect(denied).toContainEqual(expect.objectContaining({ action: 'host.disable', targets: ['c01'], outcome: 'DENIED' }));
  });

  it('a scoped operator is not an admin', async () => {
    expectCode(await s.gql(CREATE_HOST, { n: 'o1' }, renderOp), 'FORBIDDEN');
    expectCode(await s.gql(`mutation { importHosts(format: GENDERS, text: "x1 render\\n"){ __typename } }`, {}, renderOp), 'FORBIDDEN');
    expectCode(await s.gql(`mutation { createUser(input:{ username:"evil", password:"password-123", role: ADMIN }){ __typename } }`, {}, renderOp), 'FORBIDDEN');
    expectCode(await s.gql(`mutation { deleteHosts(hosts:["r01"]){ okCount } }`, {}, renderOp), 'FORBIDDEN');
    expect((await s.gql(`{ host(name:"r01"){ name } }`, {}, s.adminToken)).data.host).toEqual({ name: 'r01' });
  });

  it('a global operator acts on any host but is not an admin', async () => {
    const op = await s.userToken('gus', 'OPERATOR');
    const r = await s.gql(SET_ENABLED, { h: ['c01', 'r02'], e: false }, op);
    expect(r.data.setHostsEnabled.outcomes).toEqual([
      { host: 'c01', ok: true },
      { host: 'r02', ok: true },
    ]);
    await s.gql(SET_ENABLED, { h: ['c01', 'r02'], e: true }, op);
    expectCode(await s.gql(CREATE_HOST, { n: 'g1' }, op), 'FORBIDDEN');
    expectCode(await s.gql(`mutation { setUserGrants(username:"gus", role: ADMIN){ __typename } }`, {}, op), 'FORBIDDEN');
    expectCode(await s.gql(`{ users { username } }`, {}, op), 'FORBIDDEN');
  });

  it('admin-only: createUser, importHosts, createHost', async () => {
    const u = await s.gql(`mutation { createUser(input:{ username:"newbie", password:"password-123", role: VIEWER }){ __typename } }`, {}, s.adminToken);
    expect(u.data.createUser.__typename).toBe('UserPayload');
    const i = await s.gql(`mutation { importHosts(format: GENDERS, text: "imp[1-2] render\\n"){ __typename ... on ImportHostsSuccess { created } } }`, {}, s.adminToken);
    expect(i.data.importHosts.created).toEqual(['imp1', 'imp2']);
    const h = await s.gql(CREATE_HOST, { n: 'a1' }, s.adminToken);
    expect(h.data.createHost.__typename).toBe('HostPayload');
    expectCode(await s.gql(`mutation { createUser(input:{ username:"x2", password:"password-123", role: VIEWER }){ __typename } }`, {}, viewer), 'FORBIDDEN');
  });

  it('stores passwords as scrypt hashes, never the plain text', async () => {
    const rows = rowsOf<{ username: string; password_hash: string }>(await s.server.app.db.execute(sql`SELECT username, password_hash FROM users`));
    const otto = rows.find((r) => r.username === 'otto')!;
    expect(otto.password_hash).toMatch(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    for (const r of rows) expect(r.password_hash).not.toContain(`${r.username}-password`);
    expect(JSON.stringify(rows)).not.toContain('admin-password-1');
  });
});

describe('API tokens', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    await seed(s.server.app.db).host('n01', { groups: ['render'] }).host('c01', { groups: ['compute'] }).done();
  });
  afterAll(async () => s?.stop());

  it('is shown once, stored only as a SHA-256 hash, works as Bearer, records lastUsedAt, and stops working when revoked', async () => {
    const r = await s.gql(CREATE_TOKEN, { i: { name: 'ci-script' } }, s.adminToken);
    const { token, apiToken } = r.data.createApiToken;
    expect(token).toMatch(/^crl_[A-Za-z0-9_-]{40,}$/);
    expect(apiToken.lastUsedAt).toBeNull();

    const dump = JSON.stringify(rowsOf(await s.server.app.db.execute(sql`SELECT * FROM api_tokens`)));
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(4));
    const { createHash } = await import('node:crypto');
    expect(dump).toContain(createHash('sha256').update(token).digest('hex'));
    // The listing never shows the secret either.
    const listed = await s.gql(`{ apiTokens { id name } }`, {}, s.adminToken);
    expect(JSON.stringify(listed)).not.toContain(token);

    const me = await s.gql(`{ viewer { username } }`, {}, token);
    expect(me.data.viewer.username).toBe('admin');
    const h = await s.gql(CREATE_HOST, { n: 'bytoken' }, token);
    expect(h.data.createHost.__typename).toBe('HostPayload');

    const after = await s.gql(`{ apiTokens { id lastUsedAt } }`, {}, s.adminToken);
    const used = after.data.apiTokens.find((t: { id: string }) => t.id === apiToken.id);
    expect(used.lastUsedAt).not.toBeNull();
    expect(Date.now() - new Date(used.lastUsedAt).getTime()).toBeLessThan(60_000);

    const rev = await s.gql(`mutation($id:ID!){ revokeApiToken(id:$id){ __typename ... on ApiToken { revokedAt } } }`, { id: apiToken.id }, s.adminToken);
    expect(rev.data.revokeApiToken.revokedAt).toBeTruthy();
    const gone = await s.gql(`{ viewer { username } hosts { edges { node { name } } } }`, {}, token);
    expectCode(gone, 'UNAUTHENTICATED');
    expect(gone.data?.viewer ?? null).toBeNull();
  });

  it('a VIEWER token made by an admin cannot do admin things', async () => {
    const r = await s.gql(CREATE_TOKEN, { i: { name: 'read-only', role: 'VIEWER' } }, s.adminToken);
    const { token, apiToken } = r.data.createApiToken;
    expect(apiToken.role).toBe('VIEWER');
    expect((await s.gql(HOSTS, {}, token)).data.hosts.edges.length).toBeGreaterThan(0);
    expectCode(await s.gql(CREATE_HOST, { n: 'nope1' }, token), 'FORBIDDEN');
    expectCode(await s.gql(SET_ENABLED, { h: ['n01'], e: false }, token), 'FORBIDDEN');
    expectCode(await s.gql(`mutation { createUser(input:{ username:"sneaky", password:"password-123", role: ADMIN }){ __typename } }`, {}, token), 'FORBIDDEN');
    expect(await enabledOf(s, 'n01')).toBe(true);
  });

  it('a token scoped to groups acts only there, even for an admin', async () => {
    const r = await s.gql(CREATE_TOKEN, { i: { name: 'render-bot', role: 'OPERATOR', groups: ['render'] } }, s.adminToken);
    const { token } = r.data.createApiToken;
    const ok = await s.gql(SET_ENABLED, { h: ['n01'], e: false }, token);
    expect(ok.data.setHostsEnabled.outcomes).toEqual([{ host: 'n01', ok: true }]);
    expectCode(await s.gql(SET_ENABLED, { h: ['c01'], e: false }, token), 'FORBIDDEN');
    expect(await enabledOf(s, 'c01')).toBe(true);
    expectCode(await s.gql(CREATE_HOST, { n: 'scoped1' }, token), 'FORBIDDEN');
    await s.gql(SET_ENABLED, { h: ['n01'], e: true }, s.adminToken);
  });

  it('a user cannot mint a token above their own role', async () => {
    const v = await s.userToken('vic', 'VIEWER');
    const r = await s.gql(CREATE_TOKEN, { i: { name: 'escalate', role: 'ADMIN' } }, v);
    expect(r.data.createApiToken.__typename).toBe('ValidationError');
  });

  it('disabling a user kills their tokens', async () => {
    const t = await s.userToken('dora', 'OPERATOR');
    expect((await s.gql(`{ viewer { username } }`, {}, t)).data.viewer.username).toBe('dora');
    await s.gql(`mutation { setUserDisabled(username:"dora", disabled:true){ __typename } }`, {}, s.adminToken);
    expectCode(await s.gql(HOSTS, {}, t), 'UNAUTHENTICATED');
    const again = await s.gql(`mutation { login(username:"dora", password:"dora-password"){ __typename } }`, {});
    expect(again.data.login.__typename).toBe('ValidationError');
  });
});

describe('login rate limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => s?.stop());

  const LOGIN = `mutation($u:String!,$p:String!){ login(username:$u,password:$p){ __typename ... on LoginSuccess { token } ... on Error { message } } }`;

  it('gives the same answer for an unknown user and a wrong password', async () => {
    const unknown = await s.gql(LOGIN, { u: 'nobody', p: 'whatever-1' });
    const wrong = await s.gql(LOGIN, { u: 'admin', p: 'wrong-password' });
    expect(unknown.data.login).toEqual(wrong.data.login);
    expect(unknown.data.login.__typename).toBe('ValidationError');
  });

  it('successful logins do not use up the allowance; the 6th failure in a minute is RATE_LIMITED, even with the right password', async () => {
    // Stay inside one fixed one-minute window.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 45_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
    await s.server.app.db.execute(sql`DELETE FROM rate_limits`);
    for (let i = 0; i < 6; i++) expect((await s.gql(LOGIN, { u: 'admin', p: 'admin-password-1' })).data.login.__typename).toBe('LoginSuccess');
    for (let i = 0; i < 5; i++) {
      const r = await s.gql(LOGIN, { u: i % 2 ? 'admin' : `ghost${i}`, p: 'wrong-password' });
      expect(r.data.login.__typename).toBe('ValidationError');
    }
    const limited = await s.gql(LOGIN, { u: 'someone', p: 'wrong-password' });
    expect(limited.data.login.__typename).toBe('RateLimitedError');
    expect(limited.data.login.message).toMatch(/too many login attempts/);
    const right = await s.gql(LOGIN, { u: 'admin', p: 'admin-password-1' });
    expect(right.data.login.__typename).toBe('RateLimitedError');
    // A client cannot pick its own address to dodge the limit.
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-corral-client-address': '10.9.9.9', 'x-forwarded-for': '10.9.9.9' },
      body: JSON.stringify({ query: LOGIN, variables: { u: 'admin', p: 'admin-password-1' } }),
    });
    expect(((await res.json()) as { data: { login: { __typename: string } } }).data.login.__typename).toBe('RateLimitedError');
    // Kept in the database, keyed by the peer address the server saw.
    const rows = rowsOf<{ key: string; count: number }>(await s.server.app.db.execute(sql`SELECT key, count FROM rate_limits WHERE key LIKE 'login:addr:%'`));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.key).toMatch(/^login:addr:(::ffff:)?127\.0\.0\.1$|^login:addr:::1$/);
  }, 120_000);
});
