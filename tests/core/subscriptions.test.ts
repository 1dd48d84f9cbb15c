/**
 * Live updates over graphql-ws (same port as HTTP) and SSE: authentication at connection_init,
 * the init timeout, group filtering, audit events, sockets closed when their token dies.
 */
import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { expectCode } from '../helpers/gql.js';
import { waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
const clients: Client[] = [];
beforeAll(async () => {
  s = await startTestServer();
  await seed(s.server.app.db).host('x01', { groups: ['x'] }).host('x02', { groups: ['x'] }).host('y01', { groups: ['y'] }).done();
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await s?.stop();
});

interface Conn {
  client: Client;
  /** Resolves with the close event when the socket closes. */
  closed: Promise<{ code: number; reason: string }>;
  isClosed(): boolean;
}

function connect(token: string | null): Conn {
  let done = false;
  let onClose!: (e: { code: number; reason: string }) => void;
  const closed = new Promise<{ code: number; reason: string }>((r) => (onClose = r));
  const client = createClient({
    url: s.wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    on: {
      closed: (e) => {
        done = true;
        const ev = e as { code: number; reason: string };
        onClose({ code: ev.code, reason: String(ev.reason) });
      },
    },
    onNonLazyError: () => {},
  });
  clients.push(client);
  return { client, closed, isClosed: () => done };
}

interface Sub<T> {
  events: T[];
  errors: unknown[];
  completed: () => boolean;
  stop(): void;
}

function subscribe<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Sub<T> {
  const events: T[] = [];
  const errors: unknown[] = [];
  let completed = false;
  const stop = client.subscribe<T>(
    { query, variables },
    {
      next: (v) => {
        if (v.errors) errors.push(v.errors);
        if (v.data) events.push(v.data as T);
      },
      error: (e) => errors.push(e),
      complete: () => void (completed = true),
    },
  );
  return { events, errors, completed: () => completed, stop };
}

const setEnabled = (hosts: string[], enabled: boolean, token = s.adminToken) =>
  s.gql(`mutation($h:[String!]!,$e:Boolean!){ setHostsEnabled(hosts:$h, enabled:$e, reason:"test"){ okCount } }`, { h: hosts, e: enabled }, token);

/** Changes a host until the subscription has seen an event (a subscription starts asynchronously). */
async function primed(sub: Sub<unknown>, host: string) {
  let enabled = false;
  await waitFor(async () => {
    if (sub.events.length > 0) return true;
    await setEnabled([host], enabled);
    enabled = !enabled;
    await new Promise((r) => setTimeout(r, 100));
    return sub.events.length > 0;
  }, 10_000, `first event for ${host}`);
  await setEnabled([host], true);
}

type HostEvent = { hostUpdated: { name: string; enabled: boolean } };

describe('graphql-ws', () => {
  it('closes a connection with a bad token with 4403', async () => {
    const c = connect('crl_bogus-token');
    expect((await c.closed).code).toBe(4403);
    const anon = connect(null);
    expect((await anon.closed).code).toBe(4403);
  });

  it('closes a socket that never sends connection_init with 4408 after 3 s', async () => {
    const started = Date.now();
    const ws = new WebSocket(s.wsUrl, 'graphql-transport-ws');
    const code = await new Promise<number>((resolve, reject) => {
      ws.on('close', (c) => resolve(c));
      ws.on('error', reject);
    });
    expect(code).toBe(4408);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(10_000); // generous: the machine may be busy
  });

  it('delivers hostUpdated for changes made through the API, filtered by group', async () => {
    const c = connect(s.adminToken);
    const onlyX = subscribe<HostEvent>(c.client, `subscription { hostUpdated(groups: ["x"]) { name enabled } }`);
    const all = subscribe<HostEvent>(c.client, `subscription { hostUpdated { name enabled } }`);
    await primed(onlyX, 'x02');
    await primed(all, 'x02');
    onlyX.events.length = 0;
    all.events.length = 0;

    await setEnabled(['y01'], false);
    await setEnabled(['x01'], false);
    await waitFor(() => onlyX.events.some((e) => e.hostUpdated.name === 'x01') && all.events.some((e) => e.hostUpdated.name === 'x01'), 10_000, 'x01 event');
    // Events arrive in order, so y01's event (before x01's) has been filtered out, not delayed.
    // (x02 was only used to prime the subscriptions; its last events may still trickle in.)
    const seen = (sub: Sub<HostEvent>) => sub.events.map((e) => e.hostUpdated).filter((h) => h.name !== 'x02');
    expect(seen(all)).toEqual([
      { name: 'y01', enabled: false },
      { name: 'x01', enabled: false },
    ]);
    expect(seen(onlyX)).toEqual([{ name: 'x01', enabled: false }]);
    expect(onlyX.errors).toEqual([]);
    onlyX.stop();
    all.stop();
    await setEnabled(['x01', 'y01'], true);
  });

  it('delivers auditEvent', async () => {
    const viewer = await s.userToken('watcher', 'VIEWER');
    const c = connect(viewer);
    const sub = subscribe<{ auditEvent: { action: string; actor: string; targets: string[] } }>(c.client, `subscription { auditEvent { action actor targets } }`);
    await waitFor(async () => {
      await s.gql(`mutation($n:String!){ createHost(input:{ name:$n }){ __typename } }`, { n: `aud${Date.now()}` }, s.adminToken);
      await new Promise((r) => setTimeout(r, 100));
      return sub.events.length > 0;
    }, 10_000, 'audit event');
    expect(sub.events[0]!.auditEvent).toMatchObject({ action: 'host.create', actor: 'admin' });
    sub.stop();
  });

  it('a viewer subscribes but cannot mutate over the socket', async () => {
    const viewer = await s.userToken('wsviewer', 'VIEWER');
    const c = connect(viewer);
    const r = await new Promise<{ errors?: { message: string; extensions?: Record<string, unknown> }[] }>((resolve) => {
      c.client.subscribe(
        { query: `mutation { setHostsEnabled(hosts:["x01"], enabled:false, reason:"ws"){ okCount } }` },
        { next: (v) => resolve(v as never), error: (e) => resolve({ errors: [{ message: String(e) }] }), complete: () => {} },
      );
    });
    expectCode(r, 'FORBIDDEN');
    expect((await s.gql(`{ host(name:"x01"){ enabled } }`, {}, s.adminToken)).data.host.enabled).toBe(true);
  });

  it('an open socket acts with the user\'s current grants, not those at connection time', async () => {
    const t = await s.userToken('demoted', 'OPERATOR');
    const c = connect(t);
    const run = (query: string) =>
      new Promise<{ data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] }>((resolve) => {
        c.client.subscribe({ query }, { next: (v) => resolve(v as never), error: (e) => resolve({ errors: [{ message: String(e) }] }), complete: () => {} });
      });
    const before = await run(`mutation { setHostsEnabled(hosts:["x01"], enabled:false, reason:"still operator"){ okCount } }`);
    expect(before.data?.setHostsEnabled.okCount).toBe(1);
    await s.gql(`mutation { setUserGrants(username:"demoted", role: VIEWER){ __typename } }`, {}, s.adminToken);
    const after = await run(`mutation { setHostsEnabled(hosts:["x01"], enabled:true, reason:"now a viewer"){ okCount } }`);
    expectCode(after, 'FORBIDDEN');
    expect((await s.gql(`{ host(name:"x01"){ enabled } }`, {}, s.adminToken)).data.host.enabled).toBe(false);
    await setEnabled(['x01'], true);
  });

  it('closes the socket within seconds when its API token is revoked', async () => {
    const created = await s.gql(`mutation { createApiToken(input:{ name:"ws-script" }){ ... on CreatedApiToken { token apiToken { id } } } }`, {}, s.adminToken);
    const { token, apiToken } = created.data.createApiToken;
    const c = connect(token);
    const sub = subscribe(c.client, `subscription { hostUpdated { name } }`);
    await primed(sub, 'x02');
    const started = Date.now();
    await s.gql(`mutation($id:ID!){ revokeApiToken(id:$id){ __typename } }`, { id: apiToken.id }, s.adminToken);
    const closed = await Promise.race([c.closed, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(closed, 'socket still open 5 s after revoke').not.toBeNull();
    expect(closed!.code).toBe(4403);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('closes the socket when its session logs out', async () => {
    const t = await s.userToken('goer', 'VIEWER');
    const c = connect(t);
    const sub = subscribe(c.client, `subscription { auditEvent { action } }`);
    await waitFor(async () => {
      await s.gql(`mutation($n:String!){ createHost(input:{ name:$n }){ __typename } }`, { n: `lo${Date.now()}` }, s.adminToken);
      await new Promise((r) => setTimeout(r, 100));
      return sub.events.length > 0;
    }, 10_000, 'audit event');
    expect((await s.gql(`mutation { logout }`, {}, t)).data.logout).toBe(true);
    const closed = await Promise.race([c.closed, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(closed, 'socket still open 5 s after logout').not.toBeNull();
    expect(closed!.code).toBe(4403);
  });

  it('closes the socket when its user is disabled', async () => {
    const t = await s.userToken('leaver', 'OPERATOR');
    const c = connect(t);
    const sub = subscribe(c.client, `subscription { hostUpdated { name } }`);
    await primed(sub, 'x02');
    await s.gql(`mutation { setUserDisabled(username:"leaver", disabled:true){ __typename } }`, {}, s.adminToken);
    const closed = await Promise.race([c.closed, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(closed, 'socket still open 5 s after the user was disabled').not.toBeNull();
    expect(closed!.code).toBe(4403);
  });
});

describe('SSE', () => {
  async function sse(token: string | null, query: string) {
    const abort = new AbortController();
    const res = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
      signal: abort.signal,
    });
    let text = '';
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    void (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          text += decoder.decode(value, { stream: true });
        }
      } catch {}
    })();
    return { res, text: () => text, close: () => abort.abort() };
  }

  it('streams hostUpdated as `next` events', async () => {
    const stream = await sse(s.adminToken, `subscription { hostUpdated(groups:["x"]) { name enabled } }`);
    expect(stream.res.status).toBe(200);
    expect(stream.res.headers.get('content-type')).toMatch(/text\/event-stream/);
    let enabled = false;
    await waitFor(async () => {
      await setEnabled(['x02'], enabled);
      enabled = !enabled;
      await new Promise((r) => setTimeout(r, 100));
      return /event: next/.test(stream.text());
    }, 10_000, 'SSE next event');
    const data = /event: next\ndata: (.*)\n/.exec(stream.text())![1]!;
    expect(JSON.parse(data).data.hostUpdated.name).toBe('x02');
    stream.close();
    await setEnabled(['x02'], true);
  });

  it('refuses an unauthenticated subscription', async () => {
    const stream = await sse(null, `subscription { hostUpdated { name } }`);
    await waitFor(() => stream.text().length > 0, 5000, 'SSE response');
    expect(stream.text()).toContain('UNAUTHENTICATED');
    expect(stream.text()).not.toContain('hostUpdated":{');
    stream.close();
  });
});
