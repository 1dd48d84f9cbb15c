/**
 * A claim that reads a check's pairs while a new pair is being added (target sync on another
 * connection or server) must not push the check's next due time past that pair. This happens
 * only on a real Postgres, where the two statements can interleave; PGlite runs one at a time.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../src/core/checks/scheduler.js';
import type { PubSub } from '../../src/core/pubsub.js';
import { rowsOf } from '../../src/db/rows.js';
import { hasPostgresForTests, openPostgresTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seed } from '../helpers/seed.js';
import { insertCheckForAll, openSchedulerTestbed, type SchedulerTestbed, testCheckPlugin, testScheduler } from './support.js';

const okPlugin = testCheckPlugin('okay', async (targets) => targets.map((t) => ({ hostId: t.id, status: 'OK' as const, summary: 'fine', durationMs: 1 })));

describe.runIf(hasPostgresForTests())('a claim racing a new pair (Postgres)', () => {
  let bed: SchedulerTestbed;
  let t: TestDatabase;
  let pubsub: PubSub;
  let scheduler: Scheduler;
  let other: postgres.Sql;
  let hostId = '';
  let checkId = '';

  beforeAll(async () => {
    bed = await openSchedulerTestbed(openPostgresTestDatabase);
    ({ t, pubsub } = bed);
    other = postgres(t.url!, { max: 1, onnotice: () => {} });
    scheduler = testScheduler(t.database.db, pubsub, [okPlugin]);
    hostId = (await seed(t.database.db).hosts(['race1']).done()).get('race1')!.id;
    // Synced before the check exists, so the ticks below only claim (the next sync is 15 s away).
    await scheduler.sync();
    // Due at once (next_due_at defaults to now()), with no pair yet.
    checkId = await insertCheckForAll(t.database.db, 'okay-all', 'okay');
  });
  afterAll(async () => {
    await other?.end();
    await bed?.close(scheduler);
  });

  it('the pair added while the claim read the check is checked on the next tick', async () => {
    let added!: () => void;
    const isAdded = new Promise<void>((r) => (added = r));
    let commit!: () => void;
    const committing = new Promise<void>((r) => (commit = r));
    // Another connection adds the pair, due now, and holds its transaction open.
    const adding = other.begin(async (tx) => {
      await tx`INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, observed_at, since, next_due_at)
        VALUES (${hostId}, ${checkId}, 'okay', 'UNKNOWN', 'UNKNOWN', 'pending: not checked yet', now(), now(), now())`;
      added();
      await committing;
    });
    await isAdded;
    // This claim's snapshot does not see the pair: it finds the check with nothing due.
    const claiming = scheduler.tick();
    await new Promise((r) => setTimeout(r, 300));
    commit();
    await adding;
    await claiming;
    await scheduler.idle();

    const [due] = rowsOf<{ infinite: boolean }>(await t.database.db.execute(sql`SELECT next_due_at = 'infinity' AS infinite FROM check_definitions WHERE id = ${checkId}`));
    expect(due!.infinite).toBe(false);
    await scheduler.tick();
    await scheduler.idle();
    const [state] = rowsOf<{ status: string; result_count: number }>(
      await t.database.db.execute(sql`SELECT status, result_count FROM check_state WHERE host_id = ${hostId} AND check_id = ${checkId}`),
    );
    expect(state).toMatchObject({ status: 'OK' });
    expect(Number(state!.result_count)).toBe(1);
  });
});
