/**
 * The fleet table query costs a constant number of SQL statements whatever the page size: groups
 * and checks are batch-loaded, not fetched host by host.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHosts } from '../../src/core/inventory/hosts.js';
import { checkDefinitions, checkState } from '../../src/db/tables/checks.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const GROUPS = ['render', 'compute', 'gpu', 'rack1', 'rack2'];
const QUERY = `query($n:Int!){ hosts(first: $n) { edges { node { name groups { name } checks { kind status } } } } }`;

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
  const db = s.server.app.db;
  const all = [];
  for (let chunk = 0; chunk < 4; chunk++) {
    const inputs = Array.from({ length: 250 }, (_, i) => {
      const n = chunk * 250 + i;
      return { name: `node${String(n).padStart(4, '0')}`, groups: [GROUPS[n % 3]!, GROUPS[3 + (n % 2)]!] };
    });
    all.push(...(await createHosts(db, inputs)));
  }
  const [def] = await db.insert(checkDefinitions).values({ name: 'ping', kind: 'ping', intervalS: 60, timeoutS: 5 }).returning();
  const now = new Date();
  await db.insert(checkState).values(
    all.map((h, i) => ({ hostId: h.id, checkId: def!.id, kind: 'ping', status: i % 7 === 0 ? 'CRIT' : 'OK', lastStatus: 'OK', summary: 'x', observedAt: now, since: now, nextDueAt: now }) as const),
  );
}, 120_000);
afterAll(async () => s?.stop());

async function statementsFor(n: number) {
  const stats = s.server.app.database.stats;
  const before = stats.statements;
  const r = await s.gql(QUERY, { n }, s.adminToken);
  const used = stats.statements - before;
  expect(r.errors).toBeUndefined();
  return { used, edges: r.data.hosts.edges as { node: { name: string; groups: { name: string }[]; checks: { kind: string; status: string }[] } }[] };
}

describe('N+1', () => {
  it('hosts(first: 1000) with groups and checks runs in a constant, small number of statements', async () => {
    await statementsFor(1); // warm-up: the token's lastUsedAt write happens once a minute, not per request
    const small = await statementsFor(10);
    const big = await statementsFor(1000);
    expect(small.edges).toHaveLength(10);
    expect(big.edges).toHaveLength(1000);
    expect(big.edges[7]!.node).toEqual({ name: 'node0007', groups: [{ name: 'compute' }, { name: 'rack2' }], checks: [{ kind: 'ping', status: 'CRIT' }] });
    expect(big.edges.every((e) => e.node.groups.length === 2 && e.node.checks.length === 1)).toBe(true);
    expect(big.used, `statements for 1000 hosts: ${big.used}, for 10: ${small.used}`).toBe(small.used);
    expect(big.used).toBeLessThanOrEqual(6);
  });
});
