/**
 * Early results: a check that hands over part of its outcomes before it returns (as ping does for a
 * large sweep) has them written while it still runs; every host is still written once, announced
 * once, and a failure that a suspect sweep could hold back waits for the whole sweep.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/core/checks/scheduler.js';
import type { CheckOutcome, CheckStatus } from '../../src/core/plugin.js';
import type { PubSub } from '../../src/core/pubsub.js';
import { rowsOf } from '../../src/db/rows.js';
import type { TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { insertCheckForAll, openSchedulerTestbed, type SchedulerTestbed, testCheckPlugin, testScheduler } from './support.js';

/** Text that a naive array or JSON encoding would mangle. */
const TRICKY = 'said "hi", {a,b} \\ back\\slash NULL \'q\' ünï\nsecond line';

/** The test's check: statuses per host name; each list of `early` hosts is reported early in turn, then it waits for the gate. */
const script = { statuses: new Map<string, CheckStatus>(), early: [] as string[][], gate: Promise.resolve() };

const gatePlugin = testCheckPlugin('gate', async (targets, _params, ctx) => {
  const outcomes: CheckOutcome[] = targets.map((t) => ({
    hostId: t.id,
    status: script.statuses.get(t.name) ?? 'OK',
    summary: t.name === 'e6' ? TRICKY : `${t.name} ${script.statuses.get(t.name) ?? 'OK'}`,
    metrics: t.name === 'e6' ? undefined : { value: 1.5 },
    durationMs: 1,
  }));
  const names = new Map(targets.map((t) => [t.id, t.name]));
  for (const report of script.early) ctx.reportEarly?.(outcomes.filter((o) => report.includes(names.get(o.hostId)!)));
  await script.gate;
  return outcomes;
});

describe('early results in a sweep', () => {
  let bed: SchedulerTestbed;
  let t: TestDatabase;
  let pubsub: PubSub;
  let scheduler: Scheduler;
  const events: { hostId: string; status: string }[] = [];
  const ids = new Map<string, string>();

  let own = 0; // statements the test itself runs, left out of the sweep's count
  const states = async () => {
    own += 1;
    const rows = rowsOf<{ name: string; status: string; last_status: string; result_count: number; summary: string; metrics: unknown }>(
      await t.database.db.execute(sql`SELECT h.name, cs.status, cs.last_status, cs.result_count, cs.summary, cs.metrics FROM check_state cs JOIN hosts h ON h.id = cs.host_id`),
    );
    return new Map(rows.map((r) => [r.name, { ...r, result_count: Number(r.result_count) }]));
  };
  const historyCount = async () =>
    new Map(
      rowsOf<{ name: string; n: number }>(
        await t.database.db.execute(sql`SELECT h.name, count(*)::int AS n FROM check_results r JOIN hosts h ON h.id = r.host_id GROUP BY h.name`),
      ).map((r) => [r.name, Number(r.n)]),
    );
  const makeDue = () => t.database.db.execute(sql`UPDATE check_state SET next_due_at = now() - interval '1 second'`);
  function gate(): () => void {
    let open!: () => void;
    script.gate = new Promise<void>((r) => (open = r));
    return open;
  }

  beforeAll(async () => {
    bed = await openSchedulerTestbed();
    ({ t, pubsub } = bed);
    scheduler = testScheduler(t.database.db, pubsub, [gatePlugin]);
    const rows = await seed(t.database.db).hosts(['e1', 'e2', 'e3', 'e4', 'e5', 'e6']).done();
    for (const [name, row] of rows) ids.set(name, row.id);
    await insertCheckForAll(t.database.db, 'gate-all', 'gate');
    pubsub.on('checkStateChanged', (e) => events.push({ hostId: e.hostId, status: e.status }));
    await scheduler.sync();
  });
  afterAll(async () => bed?.close(scheduler));

  it('writes early results while the check still runs (two writes at most); every host once, announced once', async () => {
    script.statuses = new Map();
    // Two early writes are taken; a third report waits for the rest of the batch.
    script.early = [['e1', 'e2'], ['e3'], ['e4']];
    const open = gate();
    const before = t.database.stats.statements;
    own = 0;
    await scheduler.tick();
    await waitFor(
      async () => {
        const s = await states();
        return ['e1', 'e2', 'e3'].every((n) => s.get(n)?.result_count === 1);
      },
      10_000,
      'early results written',
    );
    const during = await states();
    expect(['e1', 'e2', 'e3'].map((n) => during.get(n)?.status)).toEqual(['OK', 'OK', 'OK']);
    expect(['e4', 'e5', 'e6'].map((n) => during.get(n)?.result_count)).toEqual([0, 0, 0]); // still pending
    open();
    await scheduler.idle();
    const sweepStatements = t.database.stats.statements - before - own;
    const after = await states();
    expect([...after.values()].map((s) => `${s.name}:${s.status}:${s.result_count}`).sort()).toEqual(
      ['e1', 'e2', 'e3', 'e4', 'e5', 'e6'].map((n) => `${n}:OK:1`),
    );
    expect([...(await historyCount()).values()]).toEqual([1, 1, 1, 1, 1, 1]);
    await waitFor(() => events.length >= 6, 5000, 'six events');
    await new Promise((r) => setTimeout(r, 200));
    expect(events.map((e) => e.hostId).sort()).toEqual([...ids.values()].sort());
    // claim + two early writes + the last write (which gives the lease back and reads the events' facts)
    expect(sweepStatements).toBeLessThanOrEqual(4);
  });

  it('keeps any text of a summary and metrics through the array-literal write', async () => {
    const s = await states();
    expect(s.get('e6')?.summary).toBe(TRICKY);
    expect(s.get('e6')?.metrics ?? null).toBeNull();
    const m = s.get('e1')?.metrics;
    expect(typeof m === 'string' ? JSON.parse(m) : m).toEqual({ value: 1.5 });
    const h = rowsOf<{ summary: string }>(await t.database.db.execute(sql`SELECT summary FROM check_results WHERE host_id = ${ids.get('e6')}::uuid`));
    expect(h.map((r) => r.summary)).toEqual([TRICKY]);
  });

  it('a failure reported early on a healthy host waits for the suspect verdict of the whole sweep', async () => {
    events.length = 0;
    // 5 of 6 healthy hosts fail: the sweep is suspect and no state may turn bad, early or not.
    script.statuses = new Map(['e1', 'e2', 'e3', 'e5', 'e6'].map((n) => [n, 'CRIT' as CheckStatus]));
    script.early = [['e1', 'e2', 'e4']];
    const open = gate();
    await makeDue();
    await scheduler.tick();
    // e4 (OK on OK) does not depend on the verdict and is written early; e1/e2 (CRIT on OK) are held back.
    await waitFor(async () => (await states()).get('e4')?.result_count === 2, 10_000, 'early OK written');
    const during = await states();
    expect([during.get('e1')?.result_count, during.get('e2')?.result_count]).toEqual([1, 1]);
    open();
    await scheduler.idle();
    const after = await states();
    for (const n of ['e1', 'e2', 'e3', 'e5', 'e6']) {
      expect(after.get(n)?.status, n).toBe('OK');
      expect(after.get(n)?.last_status, n).toBe('CRIT');
      expect(after.get(n)?.result_count, n).toBe(2);
    }
    expect([...(await historyCount()).values()]).toEqual([2, 2, 2, 2, 2, 2]);
    const audit = rowsOf<{ n: number }>(await t.database.db.execute(sql`SELECT count(*)::int AS n FROM audit_events WHERE action = 'monitor.suspect'`));
    expect(Number(audit[0]!.n)).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    expect(events).toEqual([]);
  });
});
