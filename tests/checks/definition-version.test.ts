/**
 * A changed check runs with its new params and interval even when the scheduler has not yet heard
 * of the change. On Postgres the announcement comes through LISTEN/NOTIFY, after the mutation has
 * returned, and from another server's change only that way: a tick in between used to run the
 * batch with the definition it had cached (the due-times CI failure on Postgres).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Scheduler } from '../../src/core/checks/scheduler.js';
import type { Plugin } from '../../src/core/plugin.js';
import type { PubSub } from '../../src/core/pubsub.js';
import { rowsOf } from '../../src/db/rows.js';
import type { TestDatabase } from '../helpers/db.js';
import { seed } from '../helpers/seed.js';
import { openSchedulerTestbed, type SchedulerTestbed, testScheduler, tickAndWait } from './support.js';

/** Params each run was given. */
const seen: string[] = [];
const tagPlugin: Plugin = {
  name: 'tagged',
  description: 'test: reports the tag it was run with',
  checks: {
    tagged: {
      description: 'test',
      params: z.object({ tag: z.string() }),
      defaults: { intervalS: 3600, timeoutS: 30 },
      run: async (targets, params) => {
        seen.push((params as { tag: string }).tag);
        return targets.map((t) => ({ hostId: t.id, status: 'OK' as const, summary: `tag ${(params as { tag: string }).tag}`, durationMs: 1 }));
      },
    },
  },
};

describe('a check changed without the scheduler being told', () => {
  let bed: SchedulerTestbed;
  let t: TestDatabase;
  let pubsub: PubSub;
  let scheduler: Scheduler;
  let changedSweepStatements = 0;
  const q = async <T>(text: ReturnType<typeof sql>) => rowsOf<T>(await t.database.db.execute(text));
  const sweep = () => tickAndWait(scheduler);

  beforeAll(async () => {
    bed = await openSchedulerTestbed();
    ({ t, pubsub } = bed);
    scheduler = testScheduler(t.database.db, pubsub, [tagPlugin]);
    await seed(t.database.db).hosts(['ver1', 'ver2']).done();
    await t.database.db.execute(sql`INSERT INTO check_definitions (name, kind, params, target, interval_s, timeout_s, fail_threshold, ok_threshold)
      VALUES ('tagged', 'tagged', '{"tag":"old"}'::jsonb, '{"all":true}'::jsonb, 3600, 30, 1, 1)`);
    await sweep(); // syncs (the first tick always does), caches the definition and runs it
    await sweep(); // syncs again (the states changed), so that the next tick does not
  });
  afterAll(async () => bed?.close(scheduler));

  it('runs with the params and interval the database holds, not the ones it cached', async () => {
    expect(seen).toEqual(['old']);
    // As updateCheck writes a change, with no announcement (it has not arrived yet).
    await t.database.db.execute(sql`UPDATE check_definitions SET params = '{"tag":"new"}'::jsonb, interval_s = 60, updated_at = now() WHERE name = 'tagged'`);
    await t.database.db.execute(sql`UPDATE check_state SET next_due_at = now() WHERE check_id = (SELECT id FROM check_definitions WHERE name = 'tagged')`);
    const before = t.database.stats.statements;
    await sweep();
    changedSweepStatements = t.database.stats.statements - before;
    expect(seen).toEqual(['old', 'new']);
    const states = await q<{ summary: string; wait_s: number }>(sql`
      SELECT summary, extract(epoch FROM next_due_at - observed_at)::float8 AS wait_s FROM check_state ORDER BY summary`);
    expect(states.map((s) => s.summary)).toEqual(['tag new', 'tag new']);
    for (const s of states) expect(s.wait_s).toBeCloseTo(60, 0);
  });

  it('reads the definitions again only when one changed', async () => {
    const runs = seen.length;
    await t.database.db.execute(sql`UPDATE check_state SET next_due_at = now()`);
    const before = t.database.stats.statements;
    await sweep();
    expect(seen.slice(runs)).toEqual(['new']);
    // The claim and the write; the sweep after the change also read the definitions.
    expect(t.database.stats.statements - before).toBe(2);
    expect(changedSweepStatements).toBe(3);
  });
});
