/**
 * The claim's text rows (claim-rows.ts) built by Postgres and split in node: every field survives,
 * JSON with tabs, newlines and quotes included; a host name holding a tab cannot shift the fields.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimRowSql, parseClaimChunk } from '../../src/core/checks/claim-rows.js';
import { rowsOf } from '../../src/db/rows.js';
import { openTestDatabase, type TestDatabase } from '../helpers/db.js';

describe('claim rows', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await openTestDatabase();
    const run = (q: ReturnType<typeof sql>) => t.database.db.execute(q);
    await run(sql`INSERT INTO hosts (name, address, labels) VALUES
      ('plain', '10.0.0.1', '{}'),
      ('labelled', NULL, ${JSON.stringify({ rack: 'a\tb', note: 'line1\nline2 "q" \\ end' })}::text::jsonb),
      (${'bad\tname'}, ${'10.0.0.\n3'}, '{}')`);
    await run(sql`INSERT INTO check_definitions (name, kind, params, target, interval_s, timeout_s) VALUES ('c', 'ping', '{}', '{"all":true}', 60, 10)`);
    await run(sql`INSERT INTO check_state (host_id, check_id, kind, status, last_status, summary, observed_at, since, next_due_at, consecutive_failures, consecutive_ok, backoff_s, result_count)
      SELECT h.id, cd.id, 'ping', 'WARN', 'WARN', 's', now(), '2026-12-04T10:11:12.345Z', now(), 2, 0, 30, 7 FROM hosts h, check_definitions cd`);
    await run(sql`INSERT INTO host_settings (host_id, plugin, settings) SELECT id, 'ssh', ${JSON.stringify({ user: 'a\tb', port: 22 })}::text::jsonb FROM hosts WHERE name = 'labelled'`);
  });
  afterAll(async () => {
    await t?.database.close();
    await t?.drop();
  });

  const claimText = async (withSettings: boolean) =>
    rowsOf<{ chunk: string }>(
      await t.database.db.execute(sql`SELECT string_agg(line, E'\n' ORDER BY name) AS chunk FROM (
        SELECT h.name, ${claimRowSql(withSettings ? sql`true` : sql`false`)} AS line FROM check_state cs JOIN hosts h ON h.id = cs.host_id) x`),
    )[0]!.chunk;

  it('keeps every field of every pair', async () => {
    const rows = new Map(parseClaimChunk(await claimText(true)).map((r) => [r.name, r]));
    expect([...rows.keys()].sort()).toEqual(['bad name', 'labelled', 'plain']);
    const plain = rows.get('plain')!;
    expect(plain).toMatchObject({ status: 'WARN', consecutiveFailures: 2, consecutiveOk: 0, backoffS: 30, resultCount: 7, address: '10.0.0.1', labels: {}, settings: null });
    expect(plain.since.toISOString()).toBe('2026-12-04T10:11:12.345Z');
    expect(plain.hostId).toMatch(/^[0-9a-f-]{36}$/);
    expect(plain.checkId).toMatch(/^[0-9a-f-]{36}$/);
    const labelled = rows.get('labelled')!;
    expect(labelled.address).toBeNull();
    expect(labelled.labels).toEqual({ rack: 'a\tb', note: 'line1\nline2 "q" \\ end' });
    expect(labelled.settings).toEqual([['ssh', { user: 'a\tb', port: 22 }, null]]);
    // A tab or newline in a name or address (invalid; every check refuses it) becomes a space.
    expect(rows.get('bad name')!.address).toBe('10.0.0. 3');
  });

  it('leaves settings out for kinds that read none', async () => {
    const rows = parseClaimChunk(await claimText(false));
    expect(rows.every((r) => r.settings === null)).toBe(true);
  });

  it('refuses a line with the wrong number of fields instead of shifting them', () => {
    expect(() => parseClaimChunk('a\tb\tc')).toThrow(/3 fields, expected 12/);
    expect(parseClaimChunk('')).toEqual([]);
  });
});
