import { createSchema, createYoga } from 'graphql-yoga';
import { describe, expect, it } from 'vitest';
import { withoutNodeRequest } from '../../src/server/without-node-request.js';

describe('withoutNodeRequest (yoga created without loading Node’s undici)', () => {
  it('hides globalThis.Request while creating, then puts the lazy getter back', () => {
    const before = Object.getOwnPropertyDescriptor(globalThis, 'Request');
    const seen = withoutNodeRequest(() => (globalThis as { Request?: unknown }).Request);
    expect(seen).toBeUndefined();
    const after = Object.getOwnPropertyDescriptor(globalThis, 'Request');
    expect(after).toEqual(before);
    expect(typeof globalThis.Request).toBe('function');
  });

  it('puts it back when creation throws', () => {
    const before = Object.getOwnPropertyDescriptor(globalThis, 'Request');
    expect(() =>
      withoutNodeRequest(() => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(Object.getOwnPropertyDescriptor(globalThis, 'Request')).toEqual(before);
  });

  it('a yoga server created this way answers requests', async () => {
    const yoga = withoutNodeRequest(() => createYoga({ schema: createSchema({ typeDefs: 'type Query { hello: String }', resolvers: { Query: { hello: () => 'hi' } } }), logging: false }));
    const res = await yoga.fetch(new yoga.fetchAPI.Request('http://localhost/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ hello }"}' }));
    expect(await res.json()).toEqual({ data: { hello: 'hi' } });
  });
});
