import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, jobs, projects, tasks } from '../../src/db/tables/work.js';
import { expectCode } from '../helpers/gql.js';
import { seed } from '../helpers/seed.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let viewer: string;
let jobId: string;
beforeAll(async () => {
  s = await startTestServer();
  viewer = await s.userToken('watcher', 'VIEWER');
  const db = s.server.app.db;
  const hosts = await seed(db).host('w01').done();
  await db.insert(agents).values({ name: 'w01-agent', hostId: hosts.get('w01')!.id, status: 'ONLINE', capabilities: ['render'], resources: { ramMb: 4096 } });
  await db.insert(projects).values({ name: 'folding', gitUrl: 'https://example.invalid/folding.git', command: ['./run.sh'], variables: { API_KEY: 'not-to-be-shown' } });
  const [job] = await db.insert(jobs).values({ name: 'shot-010', type: 'render' }).returning();
  jobId = job!.id;
  await db.insert(tasks).values([0, 1, 2].map((idx) => ({ jobId, idx, payload: { frames: [idx * 10 + 1, idx * 10 + 10] } })));
});
afterAll(async () => s?.stop());

describe('agents, projects, jobs and tasks are readable through the API', () => {
  it('lists agents with their host, and the host shows its agent', async () => {
    const r = await s.gql(`{ agents { edges { node { name status capabilities resources host { name } } } } host(name: "w01") { agent { name } } }`, {}, viewer);
    expect(r.data.agents.edges[0].node).toEqual({ name: 'w01-agent', status: 'ONLINE', capabilities: ['render'], resources: { ramMb: 4096 }, host: { name: 'w01' } });
    expect(r.data.host.agent.name).toBe('w01-agent');
  });

  it('shows projects without the values of their persistent variables', async () => {
    const r = await s.gql(`{ projects { edges { node { name command desiredState variableNames } } } project(name: "folding") { gitUrl } }`, {}, viewer);
    expect(r.data.projects.edges[0].node).toEqual({ name: 'folding', command: ['./run.sh'], desiredState: 'STOPPED', variableNames: ['API_KEY'] });
    expect(JSON.stringify(r)).not.toContain('not-to-be-shown');
    expect(r.data.project.gitUrl).toBe('https://example.invalid/folding.git');
  });

  it('lists jobs and a job’s tasks in order; a malformed id is a typed error', async () => {
    const r = await s.gql(`query($id: ID!){ jobs { edges { node { name state } } } job(id: $id) { name tasks { index state payload } } }`, { id: jobId }, viewer);
    expect(r.data.jobs.edges.map((e: any) => e.node)).toEqual([{ name: 'shot-010', state: 'QUEUED' }]);
    expect(r.data.job.tasks.map((t: any) => t.index)).toEqual([0, 1, 2]);
    expect(r.data.job.tasks[1].payload).toEqual({ frames: [11, 20] });
    expectCode(await s.gql(`{ job(id: "nope") { name } }`, {}, viewer), 'VALIDATION');
  });

  it('shows nothing to anonymous callers', async () => {
    expectCode(await s.gql(`{ agents { edges { node { name } } } }`), 'UNAUTHENTICATED');
  });
});
