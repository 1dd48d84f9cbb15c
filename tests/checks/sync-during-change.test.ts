/**
 * A check created (or a host added) while the scheduler's target sync is running is synced on the
 * next tick. Before, the sync cleared its "changed" flag when it ended, so a change announced
 * during it was forgotten for 15 s (SYNC_EVERY_MS) and the new check had no pairs to run.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/core/checks/scheduler.js';
import type { PubSub } from '../../src/core/pubsub.js';
import type { Db } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import type { TestDatabase } from '../helpers/db.js';
import { seed } from '../helpers/seed.js';
import { insertCheckForAll, openSchedulerTestbed, type SchedulerTestbed, testCheckPlugin, testScheduler, tickAndWait } from './support.js';

const okPlugin = testCheckPlugin('okay', async (targets) => targets.map((t) => ({ hostId: t.id, status: 'OK' as const, summary: 'fine', durationMs: 1 })));

describe('target sync and changes announced during it', () => {
  let bed: SchedulerTestbed;
  let t: TestDatabase;
  let pubsub: PubSub;
  let scheduler: Scheduler;
  /** Runs once, right after the sync's transaction commits: the moment a change can slip past it. */
  let afterSyncTransaction: (() => Promise<void>) | null = null;
  const checksChanged: ((payload: Record<string, never>) => void)[] = [];

  beforeAll(async () => {
    bed = await openSchedulerTestbed();
    ({ t, pubsub } = bed);
    const real = t.database.db;
    const db = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop !== 'transaction') return Reflect.get(target, prop, receiver);
        return async (...args: Parameters<Db['transaction']>) => {
          const result = await target.transaction(...args);
          const hook = afterSyncTransaction;
          afterSyncTransaction = null;
          if (hook) await hook();
          return result;
        };
      },
    });
    // The scheduler's checksChanged listener, to call at that moment (a notification from another server).
    const watched: PubSub = {
      ...pubsub,
      on: ((topic: string, listener: (p: never) => void) => {
        if (topic === 'checksChanged') checksChanged.push(listener as (p: Record<string, never>) => void);
        return (pubsub.on as (topic: string, listener: unknown) => () => void)(topic, listener);
      }) as PubSub['on'],
    };
    scheduler = testScheduler(db, watched, [okPlugin]);
    await seed(t.database.db).hosts(['sync1', 'sync2']).done();
  });
  afterAll(async () => bed?.close(scheduler));

  const resultsOf = async (check: string) =>
    Number(
      rowsOf<{ n: number }>(
        await t.database.db.execute(sql`SELECT count(*)::int AS n FROM check_state cs JOIN check_definitions cd ON cd.id = cs.check_id WHERE cd.name = ${check} AND cs.result_count > 0`),
      )[0]!.n,
    );

  it('a check created while the sync runs gets its pairs on the next tick and is checked', async () => {
    expect(checksChanged.length).toBe(1);
    afterSyncTransaction = async () => {
      await insertCheckForAll(t.database.db, 'late', 'okay');
      for (const l of checksChanged) l({});
    };
    await tickAndWait(scheduler); // syncs (the first tick always does) while the check is created
    expect(afterSyncTransaction).toBeNull();
    await tickAndWait(scheduler); // syncs again: the change came during the last sync
    expect(await resultsOf('late')).toBe(2);
  });

  it("a sweep that changes hosts' health does not make the next tick sync again", async () => {
    await tickAndWait(scheduler); // nothing due; syncs if the last sweep's events asked for it
    await insertCheckForAll(t.database.db, 'fresh', 'okay');
    for (const l of checksChanged) l({});
    const healthEvents: string[] = [];
    const off = pubsub.on('hostUpdated', (e) => void healthEvents.push(e.hostId));
    await tickAndWait(scheduler); // syncs (announced) and runs 'fresh': both hosts turn from pending to OK
    expect(await resultsOf('fresh')).toBe(2);
    // On Postgres the events come back through LISTEN: wait until the scheduler has heard them.
    for (let i = 0; i < 100 && healthEvents.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
    off();
    expect(healthEvents.length).toBe(2);
    const before = t.database.stats.statements;
    await tickAndWait(scheduler);
    expect(t.database.stats.statements - before).toBe(1); // the claim, which finds nothing due
  });
});
