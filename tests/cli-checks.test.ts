/**
 * `corral checks run|history`, `hosts show` and `watch` on a terminal, against a real server running
 * real checks: ping (fping) on 127.0.0.1 and an exec check whose plugin fails for one host.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPeers, tempDir } from './helpers/peers.js';
import { seed } from './helpers/seed.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { runCli, runCliTty } from './cli-helpers.js';

// A Nagios-style plugin: CRITICAL for the host named bad01, OK for every other host.
const PLUGIN = `#!/bin/sh
if [ "$1" = "bad01" ]; then echo "CORRAL CRITICAL - $1 is broken|errors=3"; exit 2; fi
echo "CORRAL OK - $1 is fine|errors=0"; exit 0
`;

describe.runIf(hasPeers('fping'))('corral checks with real checks', () => {
  let srv: TestServer;
  let plugins: { path: string; remove(): void };
  let env: Record<string, string>;

  beforeAll(async () => {
    plugins = tempDir('corral-cli-plugins-');
    chmodSync(plugins.path, 0o755);
    writeFileSync(join(plugins.path, 'check_corral'), PLUGIN);
    chmodSync(join(plugins.path, 'check_corral'), 0o755);
    srv = await startTestServer({ config: { nagiosPluginDirs: plugins.path } });
    await seed(srv.server.app.db)
      .host('good01', { groups: ['fleet'], address: '127.0.0.1' })
      .host('good02', { groups: ['fleet'], address: '127.0.0.1' })
      .host('bad01', { groups: ['fleet'], address: '127.0.0.1' })
      .done();
    env = { HOME: '/nonexistent', CORRAL_URL: srv.url, CORRAL_TOKEN: srv.adminToken };
    // (`checks add` itself is covered in cli.test.ts; the API is quicker here.)
    for (const input of [
      { name: 'ping-local', kind: 'ping', hosts: ['good[01-02]'] },
      { name: 'corral-plugin', kind: 'exec', hosts: ['@fleet'], params: { program: 'check_corral', args: ['{host}'] } },
    ]) {
      const r = await srv.gql('mutation($i: CreateCheckInput!) { createCheck(input: $i) { __typename ... on Error { message } } }', { i: input }, srv.adminToken);
      expect(r.data?.createCheck.__typename, JSON.stringify(r)).toBe('CheckPayload');
    }
  });

  afterAll(async () => {
    await srv?.stop();
    plugins?.remove();
  });

  it('checks run: exit 0 when every result is OK (ping on 127.0.0.1)', async () => {
    const r = await runCli(['checks', 'run', 'good[01-02]', '--kinds', 'ping', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(r.stdout) as { host: string; kind: string; status: string }[];
    expect(results.map((x) => [x.host, x.kind, x.status]).sort()).toEqual([
      ['good01', 'ping', 'OK'],
      ['good02', 'ping', 'OK'],
    ]);
  });

  it('checks run: exit 3 when one host fails, naming it with the summary', async () => {
    const r = await runCli(['checks', 'run', '@fleet', '--kinds', 'exec'], { env });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const rows = Object.fromEntries(r.stdout.trim().split('\n').slice(1).map((l) => [l.split(/\s+/)[0], l]));
    expect(rows.bad01).toMatch(/^bad01\s+corral-plugin\s+CRIT\s+.*bad01 is broken/);
    expect(rows.good01).toMatch(/^good01\s+corral-plugin\s+OK\b/);
    expect(rows.good02).toMatch(/^good02\s+corral-plugin\s+OK\b/);

    const none = await runCli(['checks', 'run', 'bad01', '--kinds', 'ping'], { env });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no checks ran');
  });

  it('checks history: newest first, --since and --first filter', async () => {
    await runCli(['checks', 'run', 'bad01', '--kinds', 'exec'], { env });
    const r = await runCli(['checks', 'history', 'bad01', 'exec', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { status: string; summary: string; observedAt: string }[];
    expect(rows.length).toBeGreaterThanOrEqual(2);
    expect(rows.every((x) => x.status === 'CRIT' && x.summary.includes('bad01 is broken'))).toBe(true);
    const times = rows.map((x) => Date.parse(x.observedAt));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const one = JSON.parse((await runCli(['checks', 'history', 'bad01', 'exec', '--first', '1', '--json'], { env })).stdout);
    expect(one).toEqual([rows[0]]);
    const since = JSON.parse((await runCli(['checks', 'history', 'bad01', 'exec', '--since', rows[0]!.observedAt, '--json'], { env })).stdout);
    expect(since).toEqual([rows[0]]);
    const csv = await runCli(['checks', 'history', 'good01', 'ping', '--csv'], { env });
    expect(csv.stdout.split('\n')[0]).toBe('OBSERVED,STATUS,MS,SUMMARY');
    expect(csv.stdout.trim().split('\n').slice(1).every((l) => l.includes(',OK,'))).toBe(true);

    const badTime = await runCli(['checks', 'history', 'bad01', 'exec', '--since', 'yesterday'], { env });
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('--since must be an ISO 8601 time');
    const unknown = await runCli(['checks', 'history', 'nosuch', 'exec'], { env });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe('corral: unknown host: nosuch — see `corral hosts list`');
  });

  it('hosts show: address, groups, labels, health, each check with status and summary, recent events', async () => {
    const r = await runCli(['hosts', 'show', 'bad01'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Address:\s+127\.0\.0\.1$/m);
    expect(r.stdout).toMatch(/^Groups:\s+fleet$/m);
    expect(r.stdout).toMatch(/^Health:\s+CRIT$/m);
    expect(r.stdout).not.toMatch(/^(Power|Slurm):/m); // neither configured
    expect(r.stdout).toMatch(/^corral-plugin\s+exec\s+CRIT\s+.*CORRAL CRITICAL - bad01 is broken/m);
    expect(r.stdout).toMatch(/admin\s+checks\.run\s+OK/);
    const json = JSON.parse((await runCli(['hosts', 'show', 'good01', '--json'], { env })).stdout);
    expect(json).toMatchObject({ name: 'good01', groups: ['fleet'], health: 'OK', power: null, slurm: null });
    expect(json.checks.map((c: { kind: string; status: string }) => `${c.kind}=${c.status}`).sort()).toEqual(['exec=OK', 'ping=OK']);
    expect((await runCli(['hosts', 'show', 'good01', 'good02'], { env })).code).toBe(2);
  });

  it('watch on a terminal: redraws the table on a change and ends after --count 1', async () => {
    const watching = runCliTty(['watch', '--count', '1'], { env });
    await new Promise((r) => setTimeout(r, 4000)); // time to draw and subscribe
    await srv.gql('mutation { setHostsEnabled(hosts: ["good02"], enabled: false, reason: "watch tty test") { okCount } }', {}, srv.adminToken);
    const r = await watching;
    expect(r.code, r.stdout).toBe(0);
    const frames = r.stdout.split('\x1b[H\x1b[2J').slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2); // the first draw, and the redraw after the change
    expect(frames[0]).toMatch(/^good02\s/m);
    expect(frames[0]).not.toContain('DISABLED');
    expect(frames.at(-1)).toMatch(/good02\S*\s+\S*DISABLED/);
    expect(frames.at(-1)).toContain('corral watch');
  });
});
