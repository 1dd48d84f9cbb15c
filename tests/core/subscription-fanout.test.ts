import { type Client, createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { SubscriptionHub } from '../../src/server/subscription-hub.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitFor } from '../helpers/peers.js';

let s: TestServer;
const clients: Client[] = [];
beforeAll(async () => {
  s = await startTestServer();
  await seed(s.server.app.db).host('f01', { groups: ['fan'] }).done();
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await s?.stop();
});

function subscribe(token: string, query: string, onData: (d: any) => void): Client {
  const client = createClient({ url: s.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false });
  client.subscribe({ query }, { next: (r) => onData(r), error: () => {}, complete: () => {} });
  clients.push(client);
  return client;
}

describe('subscription fan-out', () => {
  it('resolves an event once for many subscribers of the same document and delivers it to all', async () => {
    const N = 40;
    const got: string[][] = Array.from({ length: N }, () => []);
    for (let i = 0; i < N; i++) subscribe(s.adminToken, 'subscription { hostUpdated(groups: ["fan"]) { name enabled } }', (r) => got[i]!.push(`${r.data?.hostUpdated?.name}:${r.data?.hostUpdated?.enabled}`));
    // Wait until every subscriber has joined the one shared execution.
    const hub = s.server.app.engines.subscriptions as SubscriptionHub;
    await waitFor(() => hub.members === N, 20_000, 'every subscriber to join');
    expect(hub.size).toBe(1);
    const before = s.server.app.database.stats.statements;
    const r = await s.gql(`mutation { setHostsEnabled(hosts:["f01"], enabled:false, reason:"fan-out test"){ outcomes { ok } } }`, {}, s.adminToken);
    expect(r.data.setHostsEnabled.outcomes[0].ok).toBe(true);
    await waitFor(() => got.every((g) => g.length === 1), 5000, 'every subscriber to receive the event');
    expect(new Set(got.flat())).toEqual(new Set(['f01:false']));
    const used = s.server.app.database.stats.statements - before;
    // The mutation itself takes ~10 statements; 40 separate executions would add 40+ more.
    expect(used).toBeLessThan(25);
  });
});
