/**
 * A claim that reads a check's pairs while a new pair is being added (target sync on another
 * connection or server) must not push the check's next due time past that pair. This happens
 * only on a real Postgres, where the two statements can interleave; PGlite runs one at a time.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createScheduler, type Scheduler } from '../../src/core/checks/scheduler.js';
import { runCommand } from '../../src/core/command.js';
import { createLogger } from '../../src/core/logger.js';
import type { Plugin } from '../../src/core/plugin.js';
import { createRegistry } from '../../src/core/plugin-registry.js';
import { createPubSub, type PubSub } from '../../src/core/pubsub.js';
import { createSecretBox } from '../../src/core/secrets.js';
import { rowsOf } from '../../src/db/rows.js';
import { hasPostgresForTests, openPostgresTestDatabase, type TestDatabase } from '../helpers/db.js';
import { seed } from '../helpers/seed.js';

const okPlugin: Plugin = {
  name: 'okay',
  description: 'test: every host OK',
  checks: {
    okay: {
      description: 'test',
      params: z.object({}),
      defaults: { intervalS: 3600, timeoutS: 30 },
      async run(targets) {
        return targets.map((t) => ({ hostId: t.id, status: 'OK' as const, summary: 'fine', durationMs: 1 }));
      },
    },
  },
};

describe.runIf(hasPostgresForTests())('a claim racing a new pair (Postgres)', () => {
  let t: TestDatabase;
  let pubsub: PubSub;
  let scheduler: Scheduler;
  let other: postgres.Sql;
  let hostId = '';
  let checkId = '';

  beforeAll(async () => {
    t = await openPostgresTestDatabase();
    other = postgres(t.url!, { max: 1, onnotice: () => {} });
    const log = createLogger('silent');
    pubsub = await createPubSub(t.database, log);
    scheduler = createScheduler({
      db: t.database.db,
      registry: createRegistry([okPlugin]),
      pubsub,
      log,
      secrets: createSecretBox('test-secret-key-0123456789'),
      run: runCommand,
      tickMs: 60_000,
      concurrency: 4,
      maxBackoffS: 300,
      retentionDays: 30,
    });
    hostId = (await seed(t.database.db).hosts(['race1']).done()).get('race1')!.id;
    // Synced before the check exists, so the ticks below only claim (the next sync is 15 s away).
    await scheduler.sync();
    const [row] = rowsOf<{ id: string }>(
      await t.database.db.execute(sql`INSERT INTO check_definitions (name, kind, params, target, interval_s, timeout_s, fail_threshold, ok_threshold, next_due_at)
        VALUES ('okay-all', 'okay', '{}'::jsonb, '{"all":true}'::jsonb, 3600, 30, 1, 1, now() - interval '1 second') RETURNING id`),
    );
    checkId = row!.id;
  });
  afterAll(async () => {
    await scheduler?.stop();
    await other?.end();
    await pubsub?.close();
    await t?.database.close();
    await t?.drop();
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
