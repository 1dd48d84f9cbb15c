/**
 * `corral boinc` against a real BOINC client: tasks across a group, status with one client down
 * (exit 3), and a mode change that the client itself then reports (boinccmd --get_cc_status).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasPeers } from './helpers/peers.js';
import { seed } from './helpers/seed.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { BOINC_PROJECT_URL, BOINC_TASKS, type BoincPeer, startBoinc } from './peers/boinc.js';
import { runCli } from './cli-helpers.js';

describe.runIf(hasPeers('boinc', 'boinccmd'))('corral boinc with a real BOINC client', () => {
  let boinc: BoincPeer;
  let srv: TestServer;
  let env: Record<string, string>;

  const setBoinc = async (host: string, settings: Record<string, unknown>) => {
    const r = await srv.gql(
      'mutation($h: String!, $s: JSON!) { setHostSettings(host: $h, plugin: "boinc", settings: $s) { __typename ... on Error { message } } }',
      { h: host, s: settings },
      srv.adminToken,
    );
    expect(r.data?.setHostSettings.__typename, JSON.stringify(r)).toBe('PluginSettings');
  };
  /** The CPU run mode as the client reports it ("current mode: never"). */
  const runMode = async () => {
    const r = await boinc.boinccmd(['--get_cc_status']);
    expect(r.code, r.stderr).toBe(0);
    return /CPU status[\s\S]*?current mode: (\S+)/.exec(r.stdout)?.[1];
  };

  beforeAll(async () => {
    boinc = await startBoinc();
    srv = await startTestServer();
    await seed(srv.server.app.db)
      .host('cr01', { groups: ['crunchers'], address: '127.0.0.1' })
      .host('cr02', { groups: ['crunchers'], address: '127.0.0.1' })
      .done();
    await setBoinc('cr01', { address: '127.0.0.1', port: boinc.port, password: boinc.password });
    // cr02's client is down: nothing listens on its port (refused at once).
    await setBoinc('cr02', { address: '127.0.0.1', port: await freePort(), password: 'nobody-home', connectTimeoutMs: 1000 });
    env = { HOME: '/nonexistent', CORRAL_URL: srv.url, CORRAL_TOKEN: srv.adminToken };
  });

  afterAll(async () => {
    await srv?.stop();
    await boinc?.stop();
  });

  it('tasks @group --json lists every task of the reachable client; the unreachable one is exit 3', async () => {
    const r = await runCli(['boinc', 'tasks', '@crunchers', '--json'], { env });
    expect(r.code, r.stderr).toBe(3);
    const tasks = JSON.parse(r.stdout) as { host: string; name: string; projectUrl: string; state: string }[];
    expect(tasks.map((t) => t.name).sort()).toEqual(Object.values(BOINC_TASKS).sort());
    expect(tasks.every((t) => t.host === 'cr01' && t.projectUrl === BOINC_PROJECT_URL)).toBe(true);
    expect(r.stderr).toMatch(/^cr02: unreachable/m);

    const one = await runCli(['boinc', 'tasks', 'cr01', '--csv'], { env });
    expect(one.code, one.stderr).toBe(0);
    expect(one.stdout.split('\n')[0]).toBe('HOST,PROJECT,TASK,STATE,DONE,ELAPSED,LEFT,DEADLINE');
    expect(one.stdout).toContain(`cr01,Corral Test Project,${BOINC_TASKS.running},`);
  });

  it('status: the reachable client with its modes and project, exit 3 for the group', async () => {
    const r = await runCli(['boinc', 'status', '@crunchers', '--json'], { env });
    expect(r.code, r.stderr).toBe(3);
    const rows = JSON.parse(r.stdout) as { host: string; boinc: { reachable: boolean; projects: { url: string }[] } }[];
    expect(rows.find((x) => x.host === 'cr01')!.boinc).toMatchObject({ reachable: true, projects: [expect.objectContaining({ url: BOINC_PROJECT_URL })] });
    expect(rows.find((x) => x.host === 'cr02')!.boinc.reachable).toBe(false);
  });

  it('mode --dry-run changes nothing; mode run never is then what the client reports', async () => {
    const before = await runMode();
    expect(before).not.toBe('never');
    const dry = await runCli(['boinc', 'mode', 'run', 'never', 'cr01', '--reason', 'cli dry run', '--dry-run', '--json'], { env });
    expect(dry.code, dry.stderr).toBe(0);
    expect(JSON.parse(dry.stdout)).toMatchObject({ dryRun: true, okCount: 1 });
    expect(await runMode()).toBe(before);

    const r = await runCli(['boinc', 'mode', 'run', 'never', 'cr01', '--reason', 'x', '--yes'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^cr01\s+ok/m);
    expect(await runMode()).toBe('never');
  });
});
