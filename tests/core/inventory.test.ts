import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCode } from '../helpers/gql.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => s?.stop());

const CREATE = `mutation($i: CreateHostInput!){ createHost(input:$i){ __typename ... on HostPayload { host { name address groups { name } } } ... on ValidationError { message field code } ... on ConflictError { message code } } }`;
const count = async () => (await s.gql(`{ hosts(first: 1000) { edges { node { name } } } }`, {}, s.adminToken)).data.hosts.edges.length;

describe('inventory', () => {
  it('creates a host with groups and labels', async () => {
    const r = await s.gql(CREATE, { i: { name: 'n01', address: '127.0.0.1', groups: ['render'], labels: { rack: 'r1' } } }, s.adminToken);
    expect(r.data.createHost).toEqual({ __typename: 'HostPayload', host: { name: 'n01', address: '127.0.0.1', groups: [{ name: 'render' }] } });
  });

  it.each([['-oProxyCommand=x'], ['a b'], ['ho$t'], ['x'.repeat(300)], ['']])('refuses the host name %j with a typed error and writes nothing', async (name) => {
    const before = await count();
    const r = await s.gql(CREATE, { i: { name } }, s.adminToken);
    expect(r.data.createHost.__typename).toBe('ValidationError');
    expect(r.data.createHost.field).toBe('input.name');
    expect(r.data.createHost.message.length).toBeGreaterThan(5);
    expect(await count()).toBe(before);
  });

  it('refuses a duplicate name with a ConflictError', async () => {
    const r = await s.gql(CREATE, { i: { name: 'n01' } }, s.adminToken);
    expect(r.data.createHost.__typename).toBe('ConflictError');
  });

  it('refuses a bad address', async () => {
    const r = await s.gql(CREATE, { i: { name: 'n99', address: '-oProxyCommand=x' } }, s.adminToken);
    expect(r.data.createHost.__typename).toBe('ValidationError');
  });

  const IMPORT = `mutation($f: ImportFormat!, $t: String!){ importHosts(format:$f, text:$t){ __typename ... on ImportHostsSuccess { created updated groups } ... on ImportLineError { message line } } }`;

  it('imports a genders file with ranges, groups and labels', async () => {
    const text = '# rack 1\nnode[01-04] compute,rack=r1\nnode[03-04] gpu\nhead ip=127.0.0.1,login\n';
    const r = await s.gql(IMPORT, { f: 'GENDERS', t: text }, s.adminToken);
    expect(r.data.importHosts.__typename).toBe('ImportHostsSuccess');
    expect(r.data.importHosts.created).toEqual(['node01', 'node02', 'node03', 'node04', 'head']);
    const g = await s.gql(`{ group(name:"gpu"){ source hosts { name labels } } h: host(name:"head"){ address groups { name } } }`, {}, s.adminToken);
    expect(g.data.group.source).toBe('GENDERS');
    expect(g.data.group.hosts.map((h: { name: string }) => h.name)).toEqual(['node03', 'node04']);
    expect(g.data.group.hosts[0].labels).toEqual({ rack: 'r1' });
    expect(g.data.h).toEqual({ address: '127.0.0.1', groups: [{ name: 'login' }] });
  });

  it('imports nothing when one genders line is bad', async () => {
    const before = await count();
    const r = await s.gql(IMPORT, { f: 'GENDERS', t: 'good[1-3] a\nbad$host b\n' }, s.adminToken);
    expect(r.data.importHosts).toMatchObject({ __typename: 'ImportLineError', line: 2 });
    expect(await count()).toBe(before);
  });

  it('imports pdsh groups and CSV', async () => {
    const p = await s.gql(IMPORT, { f: 'PDSH', t: '[web]\nweb[1-2]\n' }, s.adminToken);
    expect(p.data.importHosts.created).toEqual(['web1', 'web2']);
    const c = await s.gql(IMPORT, { f: 'CSV', t: 'name,address,groups,labels\nc1,127.0.0.2,web;csvgrp,os=debian\n' }, s.adminToken);
    expect(c.data.importHosts.created).toEqual(['c1']);
  });

  it('expands hostlist ranges and @groups wherever hosts are taken, and names unknown hosts', async () => {
    const r = await s.gql(`mutation { setHostsEnabled(hosts:["node[01-02]","@gpu"], enabled:false, reason:"rack maintenance"){ outcomes { host ok message } } }`, {}, s.adminToken);
    expect(r.data.setHostsEnabled.outcomes.map((o: { host: string }) => o.host)).toEqual(['node01', 'node02', 'node03', 'node04']);
    const h = await s.gql(`{ host(name:"node03"){ enabled disabledReason health } }`, {}, s.adminToken);
    expect(h.data.host).toEqual({ enabled: false, disabledReason: 'rack maintenance', health: 'DISABLED' });
    const bad = await s.gql(`mutation { setHostsEnabled(hosts:["node[01-02]","nope7"], enabled:true, reason:"x"){ outcomes { host } } }`, {}, s.adminToken);
    expectCode(bad, 'NOT_FOUND');
    expect(bad.errors![0]!.message).toContain('nope7');
    const still = await s.gql(`{ host(name:"node01"){ enabled } }`, {}, s.adminToken);
    expect(still.data.host.enabled).toBe(false);
    const badRange = await s.gql(`mutation { setHostsEnabled(hosts:["node[05-01]"], enabled:true, reason:"x"){ outcomes { host } } }`, {}, s.adminToken);
    expectCode(badRange, 'VALIDATION');
  });

  it('filters and paginates hosts', async () => {
    const page1 = await s.gql(`{ hosts(first: 2, filter: { groups: ["compute"] }) { edges { node { name } } pageInfo { hasNextPage endCursor } } }`, {}, s.adminToken);
    expect(page1.data.hosts.edges.map((e: any) => e.node.name)).toEqual(['node01', 'node02']);
    expect(page1.data.hosts.pageInfo.hasNextPage).toBe(true);
    const page2 = await s.gql(`query($a:String){ hosts(first: 2, after: $a, filter: { groups: ["compute"] }) { edges { node { name } } pageInfo { hasNextPage } } }`, { a: page1.data.hosts.pageInfo.endCursor }, s.adminToken);
    expect(page2.data.hosts.edges.map((e: any) => e.node.name)).toEqual(['node03', 'node04']);
    expect(page2.data.hosts.pageInfo.hasNextPage).toBe(false);
    const dis = await s.gql(`{ hosts(filter: { health: [DISABLED], search: "node0" }) { edges { node { name } } } }`, {}, s.adminToken);
    expect(dis.data.hosts.edges).toHaveLength(4);
    const node = await s.gql(`{ hosts(first:1){ edges { node { id } } } }`, {}, s.adminToken);
    const id = node.data.hosts.edges[0].node.id;
    const byId = await s.gql(`query($id: ID!){ node(id:$id){ ... on Host { name } } }`, { id }, s.adminToken);
    expect(byId.data.node.name).toBeTruthy();
  });

  it('audits inventory changes', async () => {
    const r = await s.gql(`{ auditEvents(filter: { action: "host." }, first: 20) { edges { node { action actor targets reason outcome } } } }`, {}, s.adminToken);
    const actions = r.data.auditEvents.edges.map((e: any) => e.node.action);
    expect(actions).toContain('host.create');
    expect(actions).toContain('host.import');
    expect(actions).toContain('host.disable');
    const dis = r.data.auditEvents.edges.find((e: any) => e.node.action === 'host.disable').node;
    expect(dis).toMatchObject({ actor: 'admin', reason: 'rack maintenance', outcome: 'OK' });
  });
});
