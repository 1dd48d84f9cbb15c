/**
 * Check definitions through the API: CRUD by operators, exec by admins only and only from the
 * allowed plugin directories, params validated with the param named, checkKinds with JSON schemas,
 * runChecks returning outcomes now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../helpers/gql.js';
import { hasPeers } from '../helpers/peers.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { CREATE_CHECK, hostView } from './support.js';

let s: TestServer;
let operator: string;
let viewer: string;
beforeAll(async () => {
  s = await startTestServer();
  await seed(s.server.app.db).host('lo1', { address: '127.0.0.1', groups: ['lab'] }).host('lo2', { address: '127.0.0.2', groups: ['lab'] }).done();
  operator = await s.userToken('op', 'OPERATOR');
  viewer = await s.userToken('viewer', 'VIEWER');
});
afterAll(async () => s?.stop());

const create = (i: Record<string, unknown>, token = s.adminToken) => s.gql(CREATE_CHECK, { i }, token);
const UPDATE = `mutation($i: UpdateCheckInput!){ updateCheck(input:$i){ __typename ... on CheckPayload { check { name params hosts allHosts intervalS failThreshold enabled } } ... on ValidationError { message field } ... on NotFoundError { message } } }`;
const definitions = async () => (await s.gql(`{ checkDefinitions(first: 100) { edges { node { name kind } } } }`, {}, s.adminToken)).data.checkDefinitions.edges.map((e: any) => e.node.name);

describe('check definitions', () => {
  it('lists every check kind with a JSON schema of its params', async () => {
    const r = await s.gql(`{ checkKinds { name plugin paramsSchema defaultIntervalS defaultTimeoutS adminOnly } }`, {}, viewer);
    const kinds = r.data.checkKinds as { name: string; paramsSchema: any; adminOnly: boolean; defaultIntervalS: number }[];
    expect(kinds.map((k) => k.name).sort()).toEqual(expect.arrayContaining(['boinc', 'df', 'exec', 'ipmi', 'ping', 'slurm', 'ssh', 'uptime']));
    const ping = kinds.find((k) => k.name === 'ping')!;
    expect(ping.paramsSchema.type).toBe('object');
    expect(Object.keys(ping.paramsSchema.properties)).toEqual(expect.arrayContaining(['count', 'timeoutMs', 'warnLossPct']));
    expect(ping.defaultIntervalS).toBeGreaterThan(0);
    expect(kinds.find((k) => k.name === 'exec')!.adminOnly).toBe(true);
    expect(ping.adminOnly).toBe(false);
    for (const k of kinds) expect(k.paramsSchema, k.name).toMatchObject({ type: 'object' });
  });

  it('operators create, update and delete checks; viewers may not', async () => {
    const c = await create({ name: 'ping-lab', kind: 'ping', hosts: ['@lab'], params: { count: 2 }, intervalS: 30, failThreshold: 2 }, operator);
    expect(c.data.createCheck).toEqual({
      __typename: 'CheckPayload',
      check: expect.objectContaining({ name: 'ping-lab', kind: 'ping', hosts: ['@lab'], allHosts: false, intervalS: 30, failThreshold: 2, okThreshold: 2, enabled: true }),
    });
    // params are stored with their defaults filled in
    expect(c.data.createCheck.check.params).toMatchObject({ count: 2, timeoutMs: 500 });

    const dup = await create({ name: 'ping-lab', kind: 'ping' }, operator);
    expect(dup.data.createCheck.__typename).toBe('ConflictError');

    const u = await s.gql(UPDATE, { i: { name: 'ping-lab', intervalS: 5, params: { count: 1 }, allHosts: true } }, operator);
    expect(u.data.updateCheck.check).toMatchObject({ intervalS: 5, allHosts: true, hosts: [], failThreshold: 2, params: { count: 1 } });
    const off = await s.gql(UPDATE, { i: { name: 'ping-lab', enabled: false } }, operator);
    expect(off.data.updateCheck.check).toMatchObject({ enabled: false, intervalS: 5 });
    const missing = await s.gql(UPDATE, { i: { name: 'nope' } }, operator);
    expect(missing.data.updateCheck.__typename).toBe('NotFoundError');

    expectCode(await create({ name: 'v1', kind: 'ping' }, viewer), 'FORBIDDEN');
    expectCode(await s.gql(`mutation { deleteCheck(name: "ping-lab") }`, {}, viewer), 'FORBIDDEN');
    expect(await definitions()).toContain('ping-lab');

    const del = await s.gql(`mutation { deleteCheck(name: "ping-lab") }`, {}, operator);
    expect(del.data.deleteCheck).toBe(true);
    expect(await definitions()).not.toContain('ping-lab');
    expect((await s.gql(`mutation { deleteCheck(name: "ping-lab") }`, {}, operator)).data.deleteCheck).toBe(false);

    const audit = await s.gql(`{ auditEvents(filter: { action: "check." }, first: 20) { edges { node { action actor } } } }`, {}, s.adminToken);
    expect(audit.data.auditEvents.edges.map((e: any) => e.node.action)).toEqual(expect.arrayContaining(['check.create', 'check.update', 'check.delete']));
  });

  it('exec checks are for admins only', async () => {
    const r = await create({ name: 'dummy-op', kind: 'exec', params: { program: 'check_dummy', args: ['0', 'fine'] } }, operator);
    expectCode(r, 'FORBIDDEN');
    expect(await definitions()).not.toContain('dummy-op');
    // an operator cannot smuggle one in by updating an admin's exec check either
    const ok = await create({ name: 'dummy', kind: 'exec', hosts: ['lo1'], params: { program: 'check_dummy', args: ['0', 'fine'] } });
    expect(ok.data.createCheck.__typename).toBe('CheckPayload');
    expectCode(await s.gql(UPDATE, { i: { name: 'dummy', params: { program: 'check_dummy', args: ['2', 'x'] } } }, operator), 'FORBIDDEN');
  });

  it.each([
    ['/bin/sh', 'not in an allowed plugin directory (/usr/lib/nagios/plugins)'],
    ['/usr/lib/nagios/plugins/../../../../bin/sh', 'not in an allowed plugin directory'],
    ['sh', 'was not found in the allowed plugin directories'],
    ['bin/sh', 'must be an absolute path'],
  ])('refuses the exec program %s with a clear ValidationError', async (program, message) => {
    const r = await create({ name: 'bad-exec', kind: 'exec', params: { program } });
    expect(r.data.createCheck.__typename).toBe('ValidationError');
    expect(r.data.createCheck.message).toContain(message);
    expect(r.data.createCheck.message).toContain('program');
    expect(await definitions()).not.toContain('bad-exec');
  });

  it.each([
    [{ count: 0 }, 'count'],
    [{ warnLossPct: 50, critLossPct: 10 }, 'warnLossPct'],
    [{ timeoutMs: 'soon' }, 'timeoutMs'],
    [{ bogus: 1, count: 'x' }, 'count'],
  ])('refuses invalid ping params %j naming the param', async (params, name) => {
    const r = await create({ name: 'bad-ping', kind: 'ping', params });
    expect(r.data.createCheck.__typename).toBe('ValidationError');
    expect(r.data.createCheck.message).toContain(name);
  });

  it('refuses unknown kinds, bad names, intervals and thresholds', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: 'k', kind: 'telnet' }, 'unknown check kind telnet'],
      [{ name: '-x', kind: 'ping' }, 'check name'],
      [{ name: 'i', kind: 'ping', intervalS: 0 }, 'intervalS'],
      [{ name: 'f', kind: 'ping', failThreshold: 0 }, 'failThreshold'],
      [{ name: 'h', kind: 'ping', hosts: ['node[5-1]'] }, ''],
    ];
    for (const [input, message] of cases) {
      const r = await create(input);
      const result = r.data?.createCheck;
      if (result) {
        expect(result.__typename, JSON.stringify(input)).toBe('ValidationError');
        expect(result.message).toContain(message);
      } else expectCode(r, 'VALIDATION');
    }
    expect(await definitions()).toEqual(['dummy']);
  });
});

describe.runIf(hasPeers('fping'))('runChecks', () => {
  it('runs ping now on 127.0.0.1 and returns OK with metrics, recorded as the host state', async () => {
    await create({ name: 'ping-now', kind: 'ping', hosts: ['@lab'], params: { count: 2, intervalMs: 0 } }, operator);
    const r = await s.gql(`mutation { runChecks(hosts: ["lo[1-2]"], kinds: ["ping"]) { host kind check status summary metrics durationMs } }`, {}, operator);
    expect(r.errors).toBeUndefined();
    expect(r.data.runChecks).toHaveLength(2);
    const [one, two] = r.data.runChecks;
    expect(one).toMatchObject({ host: 'lo1', kind: 'ping', check: 'ping-now', status: 'OK' });
    expect(two).toMatchObject({ host: 'lo2', status: 'OK' });
    expect(Object.keys(one.metrics).length).toBeGreaterThan(0);
    expect(one.summary.length).toBeGreaterThan(3);
    const lo1 = await hostView(s, 'lo1');
    expect(lo1.checks.find((c) => c.checkName === 'ping-now')).toMatchObject({ status: 'OK' });
    // lo1 also has the exec check, still pending (UNKNOWN); lo2 has only ping
    expect(lo1.health).toBe('UNKNOWN');
    expect((await hostView(s, 'lo2')).health).toBe('OK');
  });

  it('runs exec checks (all kinds when kinds is omitted) and refuses viewers', async () => {
    const r = await s.gql(`mutation { runChecks(hosts: ["lo1"]) { host check status summary } }`, {}, operator);
    expect(r.data.runChecks.map((o: any) => [o.check, o.status])).toEqual([
      ['dummy', 'OK'],
      ['ping-now', 'OK'],
    ]);
    expect(r.data.runChecks[0].summary).toContain('fine');
    expectCode(await s.gql(`mutation { runChecks(hosts: ["lo1"]) { host } }`, {}, viewer), 'FORBIDDEN');
    expectCode(await s.gql(`mutation { runChecks(hosts: ["ghost9"]) { host } }`, {}, operator), 'NOT_FOUND');
  });
});
