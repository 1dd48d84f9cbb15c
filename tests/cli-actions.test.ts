/**
 * `corral power` against real BMCs (OpenIPMI's ipmi_sim): a partial failure exits 3, a dry run
 * changes nothing, and on a terminal the command asks first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, hasPeers } from './helpers/peers.js';
import { seed } from './helpers/seed.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { type IpmiSimPeer, startIpmiSim } from './peers/ipmi-sim.js';
import { runCli, runCliTty } from './cli-helpers.js';

describe.runIf(hasPeers('ipmi_sim', 'ipmitool', 'sdrcomp'))('corral power with ipmi_sim', () => {
  let srv: TestServer;
  let bmc: IpmiSimPeer;
  let env: Record<string, string>;

  const setIpmi = async (host: string, settings: Record<string, unknown>) => {
    const r = await srv.gql(
      'mutation($h: String!, $s: JSON!) { setHostSettings(host: $h, plugin: "ipmi", settings: $s) { __typename ... on Error { message } } }',
      { h: host, s: settings },
      srv.adminToken,
    );
    expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(r.data.setHostSettings.__typename).not.toMatch(/Error$/);
  };

  beforeAll(async () => {
    bmc = await startIpmiSim({ power: 'on' });
    srv = await startTestServer();
    await seed(srv.server.app.db).host('p01', { address: '127.0.0.1', groups: ['rack'] }).host('p02', { address: '127.0.0.1', groups: ['rack'] }).host('p03', { groups: ['rack'] }).done();
    await setIpmi('p01', { address: '127.0.0.1', port: bmc.port, user: bmc.admin.user, password: bmc.admin.password, cipherSuite: 3 });
    // p02's BMC is down: nothing listens on that UDP port. p03 has no BMC settings at all.
    await setIpmi('p02', { address: '127.0.0.1', port: await freePort(), user: 'admin', password: 'nobody-home', cipherSuite: 3 });
    env = { HOME: '/nonexistent', CORRAL_URL: srv.url, CORRAL_TOKEN: srv.adminToken };
  });

  afterAll(async () => {
    await srv?.stop();
    await bmc?.stop();
  });

  it('without a recommendation the server refuses unless an admin forces it: exit 1, readable', async () => {
    const r = await runCli(['power', 'off', 'p01', '--reason', 'healthy host', '--yes'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^corral: permission denied: .*not recommended/);
    expect(bmc.power()).toBe('on');
  });

  it('a dry run changes nothing', async () => {
    const r = await runCli(['power', 'off', 'p01', '--reason', 'dry run test', '--dry-run', '--force', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).dryRun).toBe(true);
    expect(bmc.power()).toBe('on');
  });

  it('on a terminal it asks first; answering no changes nothing', async () => {
    const r = await runCliTty(['power', 'off', 'p01', '--reason', 'prompt test'], { env, input: 'n\n' });
    expect(r.stdout).toContain('Power off p01? [y/N]');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cancelled');
    expect(bmc.power()).toBe('on');
  });

  it('piped without --yes it refuses (exit 2) and changes nothing', async () => {
    const r = await runCli(['power', 'off', 'p01', '--reason', 'no yes'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--yes');
    expect(bmc.power()).toBe('on');
  });

  it('power off where one BMC works and others are down or missing: exit 3, the good one is off', async () => {
    const r = await runCli(['power', 'off', 'p01', 'p02', 'p03', '--reason', 'partial test', '--yes', '--force'], { env, timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(3);
    const rows = Object.fromEntries(r.stdout.trim().split('\n').slice(1).map((l) => [l.split(/\s+/)[0], l]));
    expect(rows.p01).toMatch(/^p01\s+ok/);
    expect(rows.p02).toMatch(/^p02\s+FAILED/);
    expect(rows.p03).toMatch(/^p03\s+FAILED/);
    expect(r.stderr).toContain('1 ok, 2 failed');
    expect(bmc.power()).toBe('off');
    expect(await bmc.powerStatus()).toBe('off');
  });

  it('power status: 3 when some BMCs are unreachable; --json parses', async () => {
    const r = await runCli(['power', 'status', '@rack', '--json'], { env, timeoutMs: 60_000 });
    expect(r.code, r.stderr).toBe(3);
    const rows = JSON.parse(r.stdout);
    expect(rows.find((x: { host: string }) => x.host === 'p01')).toMatchObject({ reachable: true, state: 'off' });
    expect(rows.find((x: { host: string }) => x.host === 'p03')).toMatchObject({ configured: false });
    const show = await runCli(['hosts', 'show', 'p01'], { env, timeoutMs: 60_000 });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toMatch(/^Power:\s+off \(BMC reachable/m);
    expect(show.stdout).toMatch(/admin\s+ipmi\.power\s+PARTIAL\s+partial test$/m); // p01 ok, p02 and p03 failed
    const on = await runCli(['power', 'on', 'p01', '--reason', 'back on', '--yes', '--force'], { env, timeoutMs: 60_000 });
    expect(on.code, on.stderr).toBe(0);
    expect(bmc.power()).toBe('on');
  });
});
