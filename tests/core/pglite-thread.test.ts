/**
 * The embedded database runs on its own thread: a long statement leaves the server's event loop
 * free, a transaction is never interleaved with statements from outside it, and errors keep
 * Postgres' fields.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';
import { rowsOf } from '../../src/db/rows.js';
import { worstLoopGap } from '../helpers/loop-gap.js';

describe('PGlite on its own thread', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({});
    await database.db.execute(sql`CREATE TABLE thread_t (id int PRIMARY KEY)`);
  });
  afterAll(async () => database?.close());

  it('a statement that runs for a second does not hold the event loop', async () => {
    const { worstGapMs: worstGap, tookMs: took } = await worstLoopGap(() => database.db.execute(sql`SELECT count(*) FROM generate_series(1, 4000000) g WHERE g % 7 = 3`));
    expect(took).toBeGreaterThan(300);
    // On the main thread the loop would stand still for the whole statement.
    expect(worstGap, `statement ${took.toFixed(0)} ms, worst timer gap ${worstGap.toFixed(0)} ms`).toBeLessThan(took / 3);
  });

  it('statements from outside a transaction wait for it: they never see its uncommitted rows', async () => {
    let insideDone!: () => void;
    const inserted = new Promise<void>((r) => (insideDone = r));
    const tx = database.db
      .transaction(async (t) => {
        await t.execute(sql`INSERT INTO thread_t VALUES (1)`);
        insideDone();
        await new Promise((r) => setTimeout(r, 100));
        throw new Error('roll back');
      })
      .catch((e: Error) => e.message);
    await inserted;
    // Sent while the transaction is open: it must run after the rollback, on the same single connection.
    const seen = rowsOf<{ n: number }>(await database.db.execute(sql`SELECT count(*)::int AS n FROM thread_t`))[0]!.n;
    expect(await tx).toBe('roll back');
    expect(seen).toBe(0);

    await database.db.transaction(async (t) => {
      await t.execute(sql`INSERT INTO thread_t VALUES (2)`);
    });
    expect(rowsOf<{ id: number }>(await database.db.execute(sql`SELECT id FROM thread_t`))).toEqual([{ id: 2 }]);
  });

  it("a failed statement rejects with Postgres' code and message, and the database goes on", async () => {
    type Failure = { cause?: { code?: string; message?: string } };
    const err: Failure | undefined = await database.db.execute(sql`INSERT INTO thread_t VALUES (2)`).then(
      () => undefined,
      (e: unknown) => e as Failure,
    );
    expect(err?.cause?.code).toBe('23505');
    expect(err?.cause?.message).toMatch(/duplicate key/);
    expect(rowsOf<{ n: number }>(await database.db.execute(sql`SELECT count(*)::int AS n FROM thread_t`))[0]!.n).toBe(1);
  });
});
