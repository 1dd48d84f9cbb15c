/**
 * checkStateChanged events carry the state and host as written: a sweep's events reach every
 * subscriber with the same values the database holds, without a read per event; an event too big
 * for NOTIFY goes without them and subscribers read instead; a burst arrives complete and in order.
 */
import { sql } from 'drizzle-orm';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkStateEvent, EVENT_BUDGET_BYTES } from '../../src/core/checks/state-event.js';
import type { StateWrite } from '../../src/core/checks/write-results.js';
import type { Topics } from '../../src/core/pubsub.js';
import { rowsOf } from '../../src/db/rows.js';
import type { hosts } from '../../src/db/tables/inventory.js';
import type { SubscriptionHub } from '../../src/server/subscription-hub.js';
import { type Collector, collect, createCheck, hostView, makeDue, script, sleep, sweep, wsClient } from '../checks/support.js';
import { tempDir, waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

type Changed = {
  checkStateChanged: {
    kind: string;
    status: string;
    lastStatus: string;
    summary: string;
    metrics: Record<string, number> | null;
    observedAt: string;
    since: string;
    consecutiveFailures: number;
    nextDueAt: string;
    host: { name: string; address: string | null; labels: Record<string, string>; enabled: boolean };
  };
};
const SUB = `subscription { checkStateChanged(groups: ["pay"]) { kind status lastStatus summary metrics observedAt since consecutiveFailures nextDueAt host { name address labels enabled } } }`;
const SUBSCRIBERS = 6;

const dir = tempDir('corral-payload-plugins-');
let s: TestServer;
let clients: Client[] = [];
let subs: Collector<Changed>[] = [];
const published: Topics['checkStateChanged'][] = [];
let checkId = '';
let hostIds = new Map<string, string>();
let groupIds: string[] = [];

beforeAll(async () => {
  s = await startTestServer({ config: { nagiosPluginDirs: dir.path } });
  const rows = await seed(s.server.app.db)
    .host('p1', { groups: ['pay'], address: '10.9.0.1', labels: { rack: 'r1' } })
    .host('p2', { groups: ['pay'] })
    .done();
  hostIds = new Map([...rows].map(([name, r]) => [name, r.id]));
  const program = script(dir.path, 'check_meta', `echo "DISK WARNING - $1 at 91% | used=91;80;90 free=9"\nexit 1`);
  await createCheck(s, { name: 'meta', kind: 'exec', hosts: ['@pay'], intervalS: 3600, params: { program, args: ['{host}'] } });
  groupIds = rowsOf<{ id: string }>(await s.server.app.db.execute(sql`SELECT id FROM groups WHERE name = 'pay'`)).map((g) => g.id);
  checkId = rowsOf<{ id: string }>(await s.server.app.db.execute(sql`SELECT id FROM check_definitions WHERE name = 'meta'`))[0]!.id;
  s.server.app.pubsub.on('checkStateChanged', (e) => published.push(e));
  clients = Array.from({ length: SUBSCRIBERS }, () => wsClient(s));
  subs = clients.map((c) => collect<Changed>(c, SUB));
  const hub = s.server.app.engines.subscriptions as SubscriptionHub;
  await waitFor(() => hub.members >= SUBSCRIBERS, 10_000, 'every subscriber to join');
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await s?.stop();
  dir.remove();
});

/** A state as the scheduler writes it, for events the test publishes itself. */
const write = (host: string, summary: string, status: 'OK' | 'CRIT' = 'CRIT'): StateWrite => {
  const now = new Date();
  return {
    hostId: hostIds.get(host)!,
    checkId,
    kind: 'exec',
    status,
    lastStatus: status,
    summary,
    metrics: { used: 42 },
    observedAt: now,
    since: now,
    consecutiveFailures: status === 'OK' ? 0 : 1,
    consecutiveOk: status === 'OK' ? 1 : 0,
    nextDueAt: new Date(now.getTime() + 60_000),
    backoffS: 0,
    durationMs: 5,
    resultCount: 2,
    changed: true,
  };
};
const hostRow = async (name: string) =>
  rowsOf<typeof hosts.$inferSelect>(await s.server.app.db.execute(sql`SELECT id, name, address, labels, enabled, disabled_reason AS "disabledReason", created_at AS "createdAt", updated_at AS "updatedAt" FROM hosts WHERE name = ${name}`)).map((h) => ({
    ...h,
    labels: typeof h.labels === 'string' ? JSON.parse(h.labels) : h.labels,
    createdAt: new Date(h.createdAt),
    updatedAt: new Date(h.updatedAt),
  }))[0]!;
const lastOf = (sub: Collector<Changed>) => sub.events.at(-1)?.checkStateChanged;

describe('checkStateChanged payload', () => {
  it('a sweep publishes the written state and host, and every subscriber gets what the database holds', async () => {
    await makeDue(s, 'meta');
    await sweep(s);
    await waitFor(() => subs.every((x) => x.events.length >= 2), 10_000, 'both hosts’ events at every subscriber');
    // The scheduler's events carry the state and the host row: nothing to read per event.
    expect(published.map((e) => [e.state?.summary, e.host?.name]).sort()).toEqual([
      ['DISK WARNING - p1 at 91%', 'p1'],
      ['DISK WARNING - p2 at 91%', 'p2'],
    ]);
    for (const host of ['p1', 'p2']) {
      const [db] = (await hostView(s, host)).checks;
      const h = (await s.gql(`query($n:String!){ host(name:$n){ name address labels enabled } }`, { n: host }, s.adminToken)).data.host;
      for (const sub of subs) {
        const got = sub.events.map((e) => e.checkStateChanged).find((e) => e.host.name === host)!;
        expect(got).toEqual({
          kind: 'exec',
          status: db!.status,
          lastStatus: db!.lastStatus,
          summary: db!.summary,
          metrics: { used: 91, free: 9 },
          observedAt: db!.observedAt,
          since: expect.any(String),
          consecutiveFailures: db!.consecutiveFailures,
          nextDueAt: db!.nextDueAt,
          host: h,
        });
      }
    }
    for (const sub of subs) expect(sub.errors).toEqual([]);
  });

  it('an event delivered to many subscribers costs no database read', async () => {
    const before = subs.map((x) => x.events.length);
    const statements = s.server.app.database.stats.statements;
    await s.server.app.pubsub.publish('checkStateChanged', checkStateEvent(write('p1', 'carried state ✓ 41 °C'), groupIds, await hostRow('p1')));
    const afterSetup = s.server.app.database.stats.statements;
    await waitFor(() => subs.every((x, i) => x.events.length === before[i]! + 1), 5000, 'the event at every subscriber');
    await sleep(50);
    expect(s.server.app.database.stats.statements - afterSetup).toBe(0);
    expect(afterSetup - statements).toBe(1); // the test's own read of the host row
    for (const sub of subs) expect(lastOf(sub)).toMatchObject({ summary: 'carried state ✓ 41 °C', status: 'CRIT', metrics: { used: 42 }, host: { name: 'p1', address: '10.9.0.1', labels: { rack: 'r1' } } });
  });

  it('an event too big for NOTIFY goes without state and host, and subscribers read the current ones', async () => {
    const long = `CRITICAL - ${'x'.repeat(EVENT_BUDGET_BYTES)}`;
    const w = write('p1', long);
    const event = checkStateEvent(w, groupIds, await hostRow('p1'));
    expect(event.state).toBeUndefined();
    expect(event.host).toBeUndefined();
    expect(JSON.stringify(event).length).toBeLessThan(EVENT_BUDGET_BYTES);
    // The budget is in bytes: a summary of 3-byte characters under the limit in length is still too big.
    const wide = checkStateEvent(write('p1', '✓'.repeat(EVENT_BUDGET_BYTES / 2)), groupIds, await hostRow('p1'));
    expect(wide.state).toBeUndefined();
    const { writeResults } = await import('../../src/core/checks/write-results.js');
    await writeResults(s.server.app.db, [w]);
    // Renamed after the earlier events: a subscriber must not show the name it saw before.
    await s.server.app.db.execute(sql`UPDATE hosts SET name = 'p1-renamed' WHERE name = 'p1'`);
    const before = subs.map((x) => x.events.length);
    await s.server.app.pubsub.publish('checkStateChanged', event);
    await waitFor(() => subs.every((x, i) => x.events.length === before[i]! + 1), 5000, 'the event at every subscriber');
    for (const sub of subs) {
      expect(lastOf(sub)!.summary).toBe(long);
      expect(lastOf(sub)!.host.name).toBe('p1-renamed');
    }
    await s.server.app.db.execute(sql`UPDATE hosts SET name = 'p1' WHERE name = 'p1-renamed'`);
  });

  it('batches of far-from-ASCII events are cut by bytes, so each NOTIFY fits its 8000-byte limit', async () => {
    const got: string[] = [];
    const off = s.server.app.pubsub.on('monitorAlert', (e) => got.push(e.message));
    try {
      // 1,200 three-byte characters: 3,600 bytes each; cut by characters, five would share one NOTIFY.
      const alerts = Array.from({ length: 10 }, (_, i) => ({ message: `${i} ${'✓'.repeat(1200)}`, failing: i, total: 10, kind: 'exec' }));
      await s.server.app.pubsub.publishMany('monitorAlert', alerts);
      await waitFor(() => got.length === 10, 5000, 'every alert');
      expect(got.map((m) => m.split(' ')[0])).toEqual(alerts.map((_, i) => String(i)));
    } finally {
      off();
    }
  });

  it('publishing a sweep’s worth of events gives the event loop turns between notifications', async () => {
    const p1 = await hostRow('p1');
    // Enough for several NOTIFY batches; nobody subscribes to kind "quiet".
    const burst = Array.from({ length: 60 }, (_, i) => checkStateEvent({ ...write('p1', `quiet ${i}`), kind: 'quiet' }, [], p1));
    const order: string[] = [];
    setImmediate(() => order.push('other work'));
    await s.server.app.pubsub.publishMany('checkStateChanged', burst);
    order.push('published');
    expect(order).toEqual(['other work', 'published']);
  });

  it('a burst of state changes reaches every subscriber complete and in order', async () => {
    const before = subs.map((x) => x.events.length);
    const [p1, p2] = [await hostRow('p1'), await hostRow('p2')];
    const burst = Array.from({ length: 300 }, (_, i) => (i % 2 ? checkStateEvent(write('p2', `burst ${i}`, 'OK'), groupIds, p2) : checkStateEvent(write('p1', `burst ${i}`), groupIds, p1)));
    await s.server.app.pubsub.publishMany('checkStateChanged', burst);
    await waitFor(() => subs.every((x, i) => x.events.length === before[i]! + 300), 10_000, 'the whole burst at every subscriber');
    const expected = burst.map((_, i) => `${i % 2 ? 'p2' : 'p1'}:burst ${i}`);
    for (const [i, sub] of subs.entries()) {
      expect(sub.events.slice(before[i]!).map((e) => `${e.checkStateChanged.host.name}:${e.checkStateChanged.summary}`)).toEqual(expected);
      expect(sub.errors).toEqual([]);
    }
  });
});
