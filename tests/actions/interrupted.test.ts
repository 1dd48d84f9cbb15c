/**
 * At-most-once power actions: an INTENT older than the action timeout with no outcome (the server
 * died mid-action) is flagged REVIEW for a human, once, and never replayed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { flagInterruptedActions } from '../../src/core/actions/run-action.js';
import { ANONYMOUS } from '../../src/core/auth/principal.js';
import { auditEvents } from '../../src/db/tables/audit.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.stop());

const minutesAgo = (m: number) => new Date(Date.now() - m * 60_000);

describe('interrupted actions', () => {
  it('flags an old INTENT without outcome as REVIEW, once, and replays nothing', async () => {
    const db = s.server.app.db;
    const [stale] = await db
      .insert(auditEvents)
      .values({ at: minutesAgo(7), actor: 'alice', action: 'ipmi.power', targets: ['n01', 'n02'], reason: 'hung', outcome: 'INTENT', details: { params: { action: 'cycle' } } })
      .returning();
    // Not interrupted: recent, or finished with an outcome that points at it.
    await db.insert(auditEvents).values({ at: minutesAgo(1), actor: 'alice', action: 'ipmi.power', targets: ['n03'], outcome: 'INTENT', details: {} });
    const [done] = await db.insert(auditEvents).values({ at: minutesAgo(9), actor: 'alice', action: 'ipmi.power', targets: ['n04'], outcome: 'INTENT', details: {} }).returning();
    await db.insert(auditEvents).values({ at: minutesAgo(8), actor: 'alice', action: 'ipmi.power', targets: ['n04'], outcome: 'OK', details: { intentId: done!.id } });

    expect(await flagInterruptedActions(db, s.server.app.pubsub, ANONYMOUS)).toBe(1);
    expect(await flagInterruptedActions(db, s.server.app.pubsub, ANONYMOUS)).toBe(0);

    const r = await s.gql(`{ auditEvents(filter:{ action:"ipmi.power" }, first: 50){ edges { node { outcome targets reason details } } } }`, {}, s.adminToken);
    const events = r.data.auditEvents.edges.map((e: any) => e.node);
    const reviews = events.filter((e: any) => e.outcome === 'REVIEW');
    expect(reviews).toHaveLength(1);
    expect(reviews[0]).toMatchObject({ targets: ['n01', 'n02'], reason: 'hung', details: { intentId: stale!.id } });
    expect(reviews[0].details.note).toMatch(/not replayed/);
    // nothing was run again: still exactly the three intents and one outcome inserted above
    expect(events.filter((e: any) => e.outcome === 'INTENT')).toHaveLength(3);
    expect(events.filter((e: any) => e.outcome === 'OK')).toHaveLength(1);
  });
});
