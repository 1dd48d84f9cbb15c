/**
 * The GraphQL endpoint's guard rails: depth, cost, page size, aliases, repeated mutations, tokens,
 * document and body size, batching, suggestions, error masking, CSRF, GET mutations; GraphiQL works
 * offline and its introspection query is accepted.
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../helpers/gql.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  await seed(s.server.app.db).hosts(['n01', 'n02', 'n03'], { groups: ['render'] }).done();
});
afterAll(async () => s?.stop());

type Body = { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; text: string; json(): Body }> {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.adminToken}`, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Body };
}

const hostCount = async () => (await s.gql(`{ hosts(first: 100) { edges { node { name } } } }`, {}, s.adminToken)).data.hosts.edges.length;

describe('query limits', () => {
  it('accepts an ordinary query', async () => {
    const r = await s.gql(`{ hosts(first: 10) { edges { node { name groups { name } checks { kind status } } } } }`, {}, s.adminToken);
    expect(r.errors).toBeUndefined();
    expect(r.data.hosts.edges).toHaveLength(3);
  });

  it('refuses depth over 7', async () => {
    const ok = await s.gql(`{ hosts(first: 1) { edges { node { groups { hosts(first: 1) { name } } } } } }`, {}, s.adminToken);
    expect(ok.errors).toBeUndefined();
    const r = await s.gql(`{ hosts(first: 1) { edges { node { groups { hosts(first: 1) { groups { hosts(first: 1) { name } } } } } } } }`, {}, s.adminToken);
    expectCode(r, 'QUERY_TOO_COMPLEX');
    expect(r.errors!.map((e) => e.message).join(' ')).toMatch(/too deep: depth 8 exceeds the limit of 7/);
    expect(r.data).toBeUndefined();
  });

  it('refuses a query whose cost is over 3000 (nested lists with a large first)', async () => {
    const r = await s.gql(`{ hosts(first: 1000) { edges { node { name groups { hosts(first: 100) { name } } } } } }`, {}, s.adminToken);
    expectCode(r, 'QUERY_TOO_COMPLEX');
    expect(r.errors![0]!.message).toMatch(/query too expensive: cost \d+ exceeds the limit of 3000/);
    expect(r.data?.hosts ?? null).toBeNull();
  });

  it('refuses first over the maximum page size', async () => {
    const hosts = await s.gql(`{ hosts(first: 1001) { edges { node { name } } } }`, {}, s.adminToken);
    expectCode(hosts, 'VALIDATION');
    expect(hosts.errors![0]!.message).toMatch(/first must be between 0 and 1000/);
    const audit = await s.gql(`{ auditEvents(first: 101) { edges { node { id } } } }`, {}, s.adminToken);
    expectCode(audit, 'VALIDATION');
    expect(audit.errors![0]!.message).toMatch(/first must be between 0 and 100/);
    expectCode(await s.gql(`{ hosts(first: -1) { edges { node { name } } } }`, {}, s.adminToken), 'VALIDATION');
  });

  it('refuses more than 10 aliases', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => `a${i}: viewer { username }`).join(' ');
    expect((await s.gql(`{ ${ten} }`, {}, s.adminToken)).errors).toBeUndefined();
    const r = await s.gql(`{ ${ten} extra: viewer { username } }`, {}, s.adminToken);
    expectCode(r, 'QUERY_TOO_COMPLEX');
    expect(r.errors![0]!.message).toMatch(/too many aliases: at most 10/);
  });

  it('refuses the same mutation field twice in one request, and runs neither', async () => {
    const r = await s.gql(
      `mutation { a: createHost(input:{ name:"dup1" }){ __typename } b: createHost(input:{ name:"dup2" }){ __typename } }`,
      {},
      s.adminToken,
    );
    expectCode(r, 'QUERY_TOO_COMPLEX');
    expect(r.errors![0]!.message).toMatch(/createHost may appear only once per request/);
    expect(await hostCount()).toBe(3);
  });

  it('refuses more than 1000 tokens', async () => {
    const q = `{ viewer { ${'username '.repeat(1000)} } }`;
    expect(q.length).toBeLessThan(10_000);
    const r = await s.gql(q, {}, s.adminToken);
    expect(r.errors![0]!.message).toMatch(/Document contains more th\w+ 1000 tokens/);
    expect(r.data).toBeUndefined();
  });

  it('refuses a document over 10,000 characters', async () => {
    const r = await s.gql(`{ viewer { username } }\n# ${'x'.repeat(10_000)}`, {}, s.adminToken);
    expectCode(r, 'QUERY_TOO_COMPLEX');
    expect(r.errors![0]!.message).toMatch(/document too large: \d+ characters exceeds the limit of 10000/);
  });

  it('refuses a body over 100 KB with HTTP 413', async () => {
    const big = await post(JSON.stringify({ query: '{ viewer { username } }', variables: { pad: 'x'.repeat(101 * 1024) } }));
    expect(big.status).toBe(413);
    expect(big.json().errors![0]!.message).toMatch(/request body too large \(limit 102400 bytes\)/);
    // Just under the limit is fine.
    const ok = await post(JSON.stringify({ query: '{ viewer { username } }', variables: { pad: 'x'.repeat(90 * 1024) } }));
    expect(ok.status).toBe(200);
  });

  it('does not batch: a JSON array body is refused', async () => {
    const r = await post(JSON.stringify([{ query: '{ viewer { username } }' }, { query: '{ viewer { username } }' }]));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.text).not.toContain('"username"');
  });

  it('gives no field suggestions', async () => {
    const r = await s.gql(`{ hostz(first: 1) { edges { node { name } } } viewer { usernam } }`, {}, s.adminToken);
    expect(r.errors!.length).toBeGreaterThanOrEqual(2);
    const text = JSON.stringify(r.errors);
    expect(text).toContain('Cannot query field');
    expect(text).not.toMatch(/Did you mean/i);
    expect(text).not.toContain('"hosts"');
  });
});

describe('errors and transport', () => {
  it('masks unexpected errors: a message with a request id, no stack, no SQL', async () => {
    // A malformed id reaches the database as a bad uuid: an unexpected error, not a user error.
    const id = Buffer.from('Host:not-a-uuid').toString('base64');
    const r = await s.gql(`query($id: ID!){ node(id: $id) { id } }`, { id }, s.adminToken);
    expect(r.errors).toHaveLength(1);
    const e = r.errors![0]!;
    expect(e.extensions?.code).toBe('INTERNAL');
    expect(e.message).toMatch(/^Unexpected error\. \(request id [0-9a-f-]{36}\)$/);
    expect(e.message).toContain(String(e.extensions?.requestId));
    const text = JSON.stringify(r);
    expect(text).not.toMatch(/uuid|SELECT|stack|\.ts:\d+|at [A-Za-z]+ \(/);
  });

  it('refuses a simple (CSRF-able) POST with 403', async () => {
    const r = await post(JSON.stringify({ query: 'mutation { createHost(input:{ name:"csrf1" }){ __typename } }' }), { 'content-type': 'text/plain' });
    expect(r.status).toBe(403);
    expect(r.json().errors![0]!.message).toMatch(/CSRF/);
    const form = await post('query=mutation%20%7B%20logout%20%7D', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(403);
    expect(await hostCount()).toBe(3);
  });

  it('refuses a mutation over GET', async () => {
    const q = encodeURIComponent('mutation { createHost(input:{ name:"get1" }){ __typename } }');
    const res = await fetch(`${s.url}/graphql?query=${q}`, { headers: { authorization: `Bearer ${s.adminToken}`, accept: 'application/json' } });
    expect(res.status).toBe(405);
    expect(await res.text()).toMatch(/mutation/i);
    expect(await hostCount()).toBe(3);
    // Queries over GET work.
    const get = await fetch(`${s.url}/graphql?query=${encodeURIComponent('{ viewer { username } }')}`, { headers: { authorization: `Bearer ${s.adminToken}`, accept: 'application/json' } });
    expect(((await get.json()) as Body).data.viewer.username).toBe('admin');
  });

  it('serves GraphiQL without any CDN', async () => {
    const res = await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    const html = await res.text();
    expect(html).toMatch(/graphiql/i);
    expect(html).not.toMatch(/<script[^>]+src=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link[^>]+href=["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/import\s*\(?\s*["']https?:\/\//);
    expect(html).not.toMatch(/https?:\/\/(unpkg\.com|cdn\.jsdelivr\.net|esm\.sh|cdnjs)/);
  });

  it("accepts GraphiQL's introspection query", async () => {
    const r = await s.gql(getIntrospectionQuery(), {}, s.adminToken);
    expect(r.errors).toBeUndefined();
    const names = r.data.__schema.types.map((t: { name: string }) => t.name);
    expect(names).toContain('Host');
    expect(names).toContain('Subscription');
  });
});
