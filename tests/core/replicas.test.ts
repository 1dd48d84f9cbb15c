/**
 * Two server processes on one real Postgres: events travel over LISTEN/NOTIFY, so a change made
 * through one replica reaches a subscriber of the other. Each replica has its own connection pool,
 * as two processes would.
 */
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { sql } from 'drizzle-orm';
import { checkStateEvent } from '../../src/core/checks/state-event.js';
import { type StateWrite, writeResults } from '../../src/core/checks/write-results.js';
import { openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import type { SubscriptionHub } from '../../src/server/subscription-hub.js';
import { createPostgresDatabase, dropPostgresDatabase, hasPostgresForTests, type TestDatabase } from '../helpers/db.js';
import { schedulerOf } from '../../src/engines.js';
import { hasPeers, waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe.runIf(hasPostgresForTests())('two replicas on one Postgres', () => {
  let url: string;
  let a: TestServer;
  let b: TestServer;
  /** A connection pool of its own on the shared database; the database is dropped once, in afterAll. */
  const pool = async (): Promise<TestDatabase> => ({ database: await openDatabase({ url, maxConnections: 5 }), url, drop: async () => {} });

  beforeAll(async () => {
    url = await createPostgresDatabase();
    a = await startTestServer({ testDb: await pool() });
    b = await startTestServer({ testDb: await pool() });
    await seed(a.server.app.db).host('shared01', { groups: ['render'] }).done();
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    if (url) await dropPostgresDatabase(url);
  });

  it('both replicas see the same data and share sessions', async () => {
    expect(a.server.app.database).not.toBe(b.server.app.database);
    const onB = await b.gql(`{ host(name:"shared01"){ name } viewer { username } }`, {}, a.adminToken);
    expect(onB.data).toEqual({ host: { name: 'shared01' }, viewer: { username: 'admin' } });
  });

  it('a change through replica A reaches a hostUpdated subscriber on replica B, and an audit subscriber too', async () => {
    const events: string[] = [];
    const audits: string[] = [];
    const client = createClient({ url: b.wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams: { authorization: `Bearer ${b.adminToken}` } });
    try {
      client.subscribe<{ hostUpdated: { name: string; enabled: boolean } }>(
        { query: `subscription { hostUpdated(groups:["render"]) { name enabled } }` },
        { next: (v) => void (v.data && events.push(`${v.data.hostUpdated.name}:${v.data.hostUpdated.enabled}`)), error: () => {}, complete: () => {} },
      );
      client.subscribe<{ auditEvent: { action: string } }>(
        { query: `subscription { auditEvent { action } }` },
        { next: (v) => void (v.data && audits.push(v.data.auditEvent.action)), error: () => {}, complete: () => {} },
      );
      let enabled = false;
      await waitFor(async () => {
        const r = await a.gql(`mutation($e:Boolean!){ setHostsEnabled(hosts:["shared01"], enabled:$e, reason:"replica test"){ okCount } }`, { e: enabled }, a.adminToken);
        expect(r.data.setHostsEnabled.okCount).toBe(1);
        enabled = !enabled;
        await new Promise((r) => setTimeout(r, 150));
        return events.length > 0 && audits.length > 0;
      }, 15_000, 'events from the other replica');
      expect(events[0]).toMatch(/^shared01:(true|false)$/);
      expect(audits[0]).toMatch(/^host\.(en|dis)able$/);
    } finally {
      await client.dispose();
    }
  });

  it('a check state change published by replica A reaches a checkStateChanged subscriber on replica B with its state, unread', async () => {
    const created = await a.gql(`mutation { createCheck(input:{ name:"replica-ping", kind:"ping", hosts:["shared01"], enabled:false }){ __typename ... on CheckPayload { check { id } } } }`, {}, a.adminToken);
    expect(created.data.createCheck.__typename).toBe('CheckPayload');
    const [ids] = rowsOf<{ host_id: string; check_id: string; group_id: string }>(
      await a.server.app.db.execute(sql`SELECT h.id AS host_id, d.id AS check_id, hg.group_id FROM hosts h JOIN host_groups hg ON hg.host_id = h.id, check_definitions d WHERE h.name = 'shared01' AND d.name = 'replica-ping'`),
    );
    const now = new Date();
    const w: StateWrite = { hostId: ids!.host_id, checkId: ids!.check_id, kind: 'ping', status: 'CRIT', lastStatus: 'CRIT', summary: 'PING CRITICAL - from replica A', metrics: { rta: 0 }, observedAt: now, since: now, consecutiveFailures: 3, consecutiveOk: 0, nextDueAt: now, backoffS: 0, durationMs: 1, resultCount: 4, changed: true };
    await writeResults(a.server.app.db, [w]);
    const got: { status: string; summary: string; consecutiveFailures: number; host: { name: string } }[] = [];
    const client = createClient({ url: b.wsUrl, webSocketImpl: WebSocket, lazy: false, retryAttempts: 0, connectionParams: { authorization: `Bearer ${b.adminToken}` } });
    try {
      client.subscribe<{ checkStateChanged: (typeof got)[number] }>(
        { query: `subscription { checkStateChanged(groups:["render"]) { status summary consecutiveFailures host { name } } }` },
        { next: (v) => void (v.data && got.push(v.data.checkStateChanged)), error: () => {}, complete: () => {} },
      );
      const hostRow = { id: w.hostId, name: 'shared01', address: null, labels: {}, enabled: true, disabledReason: null, createdAt: now, updatedAt: now };
      // Subscribed (its group lookup done) before the event, so B's statements count only the delivery.
      await waitFor(() => (b.server.app.engines.subscriptions as SubscriptionHub).members === 1, 10_000, 'the subscriber on B');
      const before = b.server.app.database.stats.statements;
      await a.server.app.pubsub.publish('checkStateChanged', checkStateEvent(w, [ids!.group_id], hostRow));
      await waitFor(() => got.length > 0, 10_000, 'the event on the other replica');
      const readsOnB = b.server.app.database.stats.statements - before;
      expect(got[0]).toEqual({ status: 'CRIT', summary: 'PING CRITICAL - from replica A', consecutiveFailures: 3, host: { name: 'shared01' } });
      expect(readsOnB).toBe(0);
    } finally {
      await client.dispose();
    }
  });

  it('revoking a token on replica A closes its socket on replica B', async () => {
    const created = await a.gql(`mutation { createApiToken(input:{ name:"replica" }){ ... on CreatedApiToken { token apiToken { id } } } }`, {}, a.adminToken);
    const { token, apiToken } = created.data.createApiToken;
    let connected = false;
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: b.wsUrl,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${token}` },
        on: { connected: () => void (connected = true), closed: (e) => resolve((e as { code: number }).code) },
        onNonLazyError: () => {},
      });
      client.subscribe({ query: `subscription { auditEvent { action } }` }, { next: () => {}, error: () => {}, complete: () => {} });
    });
    await waitFor(() => connected, 5000, 'socket connected');
    await a.gql(`mutation($id:ID!){ revokeApiToken(id:$id){ __typename } }`, { id: apiToken.id }, a.adminToken);
    const code = await Promise.race([closed, new Promise<null>((r) => setTimeout(() => r(null), 5000))]);
    expect(code).toBe(4403);
  });

  it('a token revoked or a grant changed through replica A is refused by replica B, which had it cached, within a moment', async () => {
    const created = await a.gql(`mutation { createApiToken(input:{ name:"replica-http" }){ ... on CreatedApiToken { token apiToken { id } } } }`, {}, a.adminToken);
    const { token, apiToken } = created.data.createApiToken;
    const onB = async () => (await b.gql(`{ viewer { username } }`, {}, token)).data?.viewer?.username ?? null;
    expect(await onB()).toBe('admin'); // B now remembers the token
    await a.gql(`mutation($id:ID!){ revokeApiToken(id:$id){ __typename } }`, { id: apiToken.id }, a.adminToken);
    await waitFor(async () => (await onB()) === null, 2000, 'replica B to refuse the revoked token');

    const viewer = await a.userToken('replica-viewer', 'ADMIN');
    expect((await b.gql(`{ users { username } }`, {}, viewer)).errors).toBeUndefined();
    await a.gql(`mutation { setUserGrants(username: "replica-viewer", role: VIEWER) { __typename } }`, {}, a.adminToken);
    await waitFor(async () => !!(await b.gql(`{ users { username } }`, {}, viewer)).errors, 2000, 'replica B to apply the demotion');
  });

  it.runIf(hasPeers('fping'))('the two replicas share the sweeps: a check runs on one of them at a time, every due host once', async () => {
    const sd = seed(a.server.app.db);
    for (let i = 1; i <= 20; i++) sd.host(`share${i}`, { address: `127.0.3.${i}`, groups: ['share'] });
    await sd.done();
    for (const n of [1, 2, 3]) {
      const r = await a.gql(`mutation($i: CreateCheckInput!){ createCheck(input:$i){ __typename } }`, { i: { name: `share-ping${n}`, kind: 'ping', hosts: ['@share'], intervalS: 3600, params: { count: 1, intervalMs: 0 } } }, a.adminToken);
      expect(r.data.createCheck.__typename).toBe('CheckPayload');
    }
    const sa = schedulerOf(a.server.app.engines);
    const sb = schedulerOf(b.server.app.engines);
    await Promise.all([sa.sync(), sb.sync()]);
    const results = async () =>
      rowsOf<{ n: number; runs: number }>(
        await a.server.app.db.execute(sql`SELECT count(*)::int AS n, count(DISTINCT observed_at)::int AS runs FROM check_results r JOIN check_definitions cd ON cd.id = r.check_id WHERE cd.name LIKE 'share-ping%' GROUP BY r.host_id, r.check_id`),
      );
    for (let round = 1; round <= 3; round++) {
      await a.server.app.db.execute(sql`UPDATE check_state SET next_due_at = now() - interval '1 second' WHERE check_id IN (SELECT id FROM check_definitions WHERE name LIKE 'share-ping%')`);
      // Both replicas claim at the same moment, twice: whoever leases a check runs all its due hosts.
      await Promise.all([sa.tick(), sb.tick(), sa.tick(), sb.tick()]);
      await Promise.all([sa.idle(), sb.idle()]);
      const rows = await results();
      expect(rows).toHaveLength(60); // 20 hosts × 3 checks
      expect(rows.every((r) => r.n === round && r.runs === round)).toBe(true);
    }
    const leases = rowsOf<{ lease_owner: string | null }>(await a.server.app.db.execute(sql`SELECT lease_owner FROM check_definitions WHERE name LIKE 'share-ping%'`));
    expect(leases.map((l) => l.lease_owner)).toEqual([null, null, null]); // given back by each batch's write
  });

  it.runIf(hasPeers('fping'))('a lease held by another server is respected until it expires (a server that died)', async () => {
    const sa = schedulerOf(a.server.app.engines);
    const due = sql`UPDATE check_state SET next_due_at = now() - interval '1 second' WHERE check_id = (SELECT id FROM check_definitions WHERE name = 'share-ping1')`;
    const count = async () => rowsOf<{ n: number }>(await a.server.app.db.execute(sql`SELECT count(*)::int AS n FROM check_results r JOIN check_definitions cd ON cd.id = r.check_id WHERE cd.name = 'share-ping1'`))[0]!.n;
    const before = await count();
    await a.server.app.db.execute(sql`UPDATE check_definitions SET lease_owner = 'dead-server', lease_until = now() + interval '1 hour' WHERE name = 'share-ping1'`);
    await a.server.app.db.execute(due);
    await sa.tick();
    await sa.idle();
    expect(await count()).toBe(before);
    await a.server.app.db.execute(sql`UPDATE check_definitions SET lease_until = now() - interval '1 second' WHERE name = 'share-ping1'`);
    await sa.tick();
    await sa.idle();
    expect(await count()).toBe(before + 20);
  });
});
