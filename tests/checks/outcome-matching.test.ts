/**
 * A check's outcomes are matched to its targets by host id, whatever order they come in: each host
 * gets its own result, a host the check said nothing about is UNKNOWN, and an outcome for a host
 * that was not a target is dropped.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/core/checks/scheduler.js';
import type { CheckOutcome } from '../../src/core/plugin.js';
import type { PubSub } from '../../src/core/pubsub.js';
import { rowsOf } from '../../src/db/rows.js';
import type { TestDatabase } from '../helpers/db.js';
import { seed } from '../helpers/seed.js';
import { insertCheckForAll, openSchedulerTestbed, type SchedulerTestbed, testCheckPlugin, testScheduler, tickAndWait } from './support.js';

/** How the test's check answers: in target order, or reversed, without m4 and with a stranger. */
let mode: 'in-order' | 'shuffled' = 'in-order';

const echoPlugin = testCheckPlugin('echo', async (targets) => {
  const outcomes: CheckOutcome[] = targets.map((t) => ({ hostId: t.id, status: t.name === 'm2' ? 'WARN' : 'OK', summary: `I am ${t.name}`, durationMs: 1 }));
  if (mode === 'in-order') return outcomes;
  const m4 = targets.find((t) => t.name === 'm4')?.id;
  const shuffled = outcomes.filter((o) => o.hostId !== m4).reverse();
  shuffled.push({ hostId: '00000000-0000-4000-8000-000000000000', status: 'CRIT', summary: 'not a target', durationMs: 1 });
  return shuffled;
});

describe('outcomes matched to targets', () => {
  let bed: SchedulerTestbed;
  let t: TestDatabase;
  let pubsub: PubSub;
  let scheduler: Scheduler;

  const states = async () =>
    new Map(
      rowsOf<{ name: string; status: string; summary: string }>(
        await t.database.db.execute(sql`SELECT h.name, cs.status, cs.summary FROM check_state cs JOIN hosts h ON h.id = cs.host_id`),
      ).map((r) => [r.name, `${r.status} ${r.summary}`]),
    );
  const sweep = async () => {
    await t.database.db.execute(sql`UPDATE check_state SET next_due_at = now() - interval '1 second'`);
    await tickAndWait(scheduler);
  };

  beforeAll(async () => {
    bed = await openSchedulerTestbed();
    ({ t, pubsub } = bed);
    scheduler = testScheduler(t.database.db, pubsub, [echoPlugin]);
    await seed(t.database.db).hosts(['m1', 'm2', 'm3', 'm4']).done();
    await insertCheckForAll(t.database.db, 'echo-all', 'echo');
    await scheduler.sync();
  });
  afterAll(async () => bed?.close(scheduler));

  it('in target order: each host gets its own outcome', async () => {
    mode = 'in-order';
    await sweep();
    expect(await states()).toEqual(new Map([['m1', 'OK I am m1'], ['m2', 'WARN I am m2'], ['m3', 'OK I am m3'], ['m4', 'OK I am m4']]));
  });

  it('in another order: still each its own; a host left out is UNKNOWN; a stranger is dropped', async () => {
    mode = 'shuffled';
    await sweep();
    expect(await states()).toEqual(
      new Map([['m1', 'OK I am m1'], ['m2', 'WARN I am m2'], ['m3', 'OK I am m3'], ['m4', 'UNKNOWN the check returned no result for this host']]),
    );
    const strangers = rowsOf<{ n: number }>(await t.database.db.execute(sql`SELECT count(*)::int AS n FROM check_results WHERE summary = 'not a target'`));
    expect(Number(strangers[0]!.n)).toBe(0);
  });
});
