import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agents, jobs, projectPlacements, projects, tasks } from '../../src/db/tables/work.js';
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

  it('shows each project’s newest 20 placements with their agents, in the same few statements for 2 projects and for 7', async () => {
    const db = s.server.app.db;
    const [agent] = await db.select().from(agents);
    const made = await db
      .insert(projects)
      .values(Array.from({ length: 6 }, (_, i) => ({ name: `placed${i}`, gitUrl: 'https://example.invalid/p.git', command: ['./run.sh'] })))
      .returning();
    const t0 = Date.parse('2026-01-01T00:00:00Z');
    // 25 placements each, one minute apart: only the newest 20 are shown.
    await db.insert(projectPlacements).values(
      made.flatMap((p, i) => Array.from({ length: 25 }, (_, n) => ({ projectId: p.id, agentId: agent!.id, state: 'RUNNING', detail: `p${i} #${n}`, placedAt: new Date(t0 + n * 60_000) }))),
    );
    const query = (first: number) =>
      s.gql(`query($n:Int!){ projects(first: $n, after: null) { edges { node { name placements { detail placedAt agent { name } } } } } }`, { n: first }, viewer);
    const statements = async (first: number) => {
      const before = s.server.app.database.stats.statements;
      const r = await query(first);
      expect(r.errors).toBeUndefined();
      return { used: s.server.app.database.stats.statements - before, r };
    };
    await statements(2); // warm-up (token last-used write)
    const one = await statements(2); // folding (no placements) and placed0
    const all = await statements(7);
    const placed = all.r.data.projects.edges.map((e: { node: { name: string } }) => e.node).filter((n: { name: string }) => n.name.startsWith('placed'));
    expect(placed).toHaveLength(6);
    for (const [i, node] of placed.entries()) {
      expect(node.placements).toHaveLength(20);
      expect(node.placements[0]).toEqual({ detail: `p${i} #24`, placedAt: new Date(t0 + 24 * 60_000).toISOString(), agent: { name: 'w01-agent' } });
      expect(node.placements[19].detail).toBe(`p${i} #5`);
    }
    expect(all.used, `statements: 2 projects ${one.used}, 7 projects ${all.used}`).toBe(one.used);
  });
});
