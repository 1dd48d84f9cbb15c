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

describe('check states are read with the columns the query selects', () => {
  const FIELDS = 'kind status lastStatus summary metrics observedAt since consecutiveFailures nextDueAt backoffS durationMs checkName';
  it('every CheckState field has its value however it is selected: directly, through a fragment, an inline fragment, beside health, in status', async () => {
    const direct = await s.gql(`{ host(name: "node0007") { checks { ${FIELDS} } } }`, {}, s.adminToken);
    const expected = direct.data.host.checks[0];
    expect(expected).toMatchObject({ kind: 'ping', status: 'CRIT', lastStatus: 'OK', summary: 'x', consecutiveFailures: 0, backoffS: 0, durationMs: 0, checkName: 'ping' });
    expect(Date.parse(expected.observedAt)).toBeGreaterThan(0);
    expect(Date.parse(expected.nextDueAt)).toBe(Date.parse(expected.observedAt));

    const viaFragment = await s.gql(`{ host(name: "node0007") { health checks { ...F } } } fragment F on CheckState { ${FIELDS} }`, {}, s.adminToken);
    expect(viaFragment.data.host).toEqual({ health: 'CRIT', checks: [expected] });
    const inline = await s.gql(`{ hosts(first: 8) { edges { node { name checks { kind ... on CheckState { summary since } } } } } }`, {}, s.adminToken);
    expect(inline.data.hosts.edges[7].node).toEqual({ name: 'node0007', checks: [{ kind: 'ping', summary: 'x', since: expected.since }] });
    const matrix = await s.gql(`{ status(checks: ["ping"]) { rows { host { name } health cells { ${FIELDS} } } } }`, {}, s.adminToken);
    const row = matrix.data.status.rows.find((r: { host: { name: string } }) => r.host.name === 'node0007');
    expect(row).toEqual({ host: { name: 'node0007' }, health: 'CRIT', cells: [expected] });
    // Health alone reads only what health needs and is still right.
    const health = await s.gql(`{ host(name: "node0008") { health } }`, {}, s.adminToken);
    expect(health.data.host.health).toBe('OK');
  });
});
