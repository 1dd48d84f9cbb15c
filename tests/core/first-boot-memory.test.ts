/**
 * A first boot runs initdb inside PGlite, in a second Postgres instance of ~500 MB that is garbage
 * once it has run. The database thread collects it: before, a thread that mostly waits was never
 * collected, and opening a new data dir added ~750 MB resident for the server's whole life (now
 * ~450 MB; a reopen adds ~300 MB).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Database, openDatabase } from '../../src/db/client.js';

const MB = 1024 * 1024;

describe('embedded database first boot', () => {
  const dir = mkdtempSync(join(tmpdir(), 'corral-first-boot-'));
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives initdb's memory back once the new data dir is ready", async () => {
    const before = process.memoryUsage().rss;
    database = await openDatabase({ dataDir: join(dir, 'pgdata') });
    // The freed pages go back to the system shortly after the collection.
    let grown = process.memoryUsage().rss - before;
    for (let i = 0; i < 30 && grown > 600 * MB; i++) {
      await new Promise((r) => setTimeout(r, 100));
      grown = process.memoryUsage().rss - before;
    }
    expect(Math.round(grown / MB), 'MB resident added by opening a new embedded database').toBeLessThan(600);
  });
});
