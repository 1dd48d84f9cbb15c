/**
 * The `corral` CLI against a real server: each command run as a child process (node bin/corral.js),
 * so exit codes, stdout/stderr, TTY detection and the config file are real.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, tempDir } from './helpers/peers.js';
import { seed } from './helpers/seed.js';
import { recordSuspectSweep } from '../src/core/checks/suspect-sweep.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './helpers/server.js';
import { ANSI, runCli, runCliTty } from './cli-helpers.js';

let srv: TestServer;
let home: { path: string; remove(): void };
let env: Record<string, string>;

beforeAll(async () => {
  srv = await startTestServer();
  await seed(srv.server.app.db)
    .host('n01', { groups: ['render'], address: '127.0.0.1' })
    .host('n02', { groups: ['render'], address: '127.0.0.2' })
    .host('n03', { address: '127.0.0.3' })
    .done();
  home = tempDir('corral-cli-home-');
  env = { HOME: home.path, XDG_CONFIG_HOME: join(home.path, 'config'), CORRAL_URL: srv.url, CORRAL_TOKEN: srv.adminToken };
});

/** As the scheduler records a sweep where all 3 healthy hosts failed `check`. */
const suspectSweep = (check: string) => recordSuspectSweep(srv.server.app.db, srv.server.app.pubsub, { check, kind: 'ping', failing: 3, total: 3 });

afterAll(async () => {
  await srv?.stop();
  home?.remove();
});

describe('usage and help', () => {
  it('--help lists the commands and documents exit codes', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const cmd of ['status', 'hosts', 'power', 'slurm', 'boinc', 'query', 'watch', 'login']) expect(r.stdout).toMatch(new RegExp(`^  ${cmd}\\s`, 'm'));
    expect(r.stdout).toContain('3  partial');
  });

  it('every subcommand has --help with examples', async () => {
    for (const args of [['status'], ['hosts', 'import'], ['power', 'cycle'], ['slurm', 'drain'], ['boinc', 'tasks'], ['query'], ['watch'], ['tokens', 'create']]) {
      const r = await runCli([...args, '--help']);
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toContain('Examples:');
      expect(r.stdout).toContain(`corral ${args.join(' ')}`);
    }
  });

  it('usage errors exit 2 with one readable line and no stack', async () => {
    const cases = [['bogus'], ['status', '--bogus'], ['hosts', 'frobnicate'], ['power', 'cycle', 'n01'], ['hosts', 'import', 'x.txt', '--format', 'xml'], ['status', '--json', '--csv']];
    for (const args of cases) {
      const r = await runCli(args, { env });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(/^corral: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const noReason = await runCli(['power', 'cycle', 'n01'], { env });
    expect(noReason.stderr).toContain('--reason');
    const range = await runCli(['hosts', 'add', 'n[01-04]'], { env });
    expect(range.code).toBe(2);
    expect(range.stderr).toContain('corral hosts import');
  });
});

describe('auth failures', () => {
  it('no token anywhere: exit 1 and says to log in', async () => {
    const r = await runCli(['status'], { env: { ...env, CORRAL_TOKEN: undefined } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('corral: not logged in — run `corral login` or set CORRAL_TOKEN');
  });

  it('a wrong token: exit 1 naming where it came from', async () => {
    const r = await runCli(['hosts', 'list'], { env: { ...env, CORRAL_TOKEN: 'not-a-real-token' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('CORRAL_TOKEN was refused');
    const flag = await runCli(['hosts', 'list', '--token', 'nope'], { env });
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain('--token was refused');
  });

  it('a server that is not there: exit 1, readable, no stack', async () => {
    const port = await freePort();
    const r = await runCli(['status', '--url', `http://127.0.0.1:${port}`], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^corral: cannot reach the server at http:\/\/127\.0\.0\.1:\d+ \(connection refused\) — start it/);
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
  });
});

describe('status', () => {
  it('piped: plain aligned table, no colour codes', async () => {
    const r = await runCli(['status'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(ANSI);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^HOST\s+HEALTH/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['n01', 'n02', 'n03']);
    // aligned: the HEALTH column starts at the same offset on every line
    const col = lines[0]!.indexOf('HEALTH');
    for (const l of lines.slice(1)) expect(l.slice(col)).toMatch(/^(UNKNOWN|OK|WARN|CRIT|DISABLED)/);
  });

  it('on a terminal: coloured', async () => {
    const r = await runCliTty(['status'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(ANSI);
    expect(r.stdout).toContain('n01');
    const plain = await runCliTty(['status', '--no-color'], { env });
    expect(plain.stdout).not.toMatch(ANSI);
  });

  it('--json parses; --group filters; --csv has a header', async () => {
    const r = await runCli(['status', '--json', '--group', 'render'], { env });
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.rows.map((x: { host: string }) => x.host)).toEqual(['n01', 'n02']);
    expect(Array.isArray(json.kinds)).toBe(true);
    const csv = await runCli(['status', '--csv'], { env });
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^HOST,HEALTH/);
    expect(lines).toHaveLength(4);
  });

  it('warns on stderr after a suspect sweep; the table on stdout is unchanged', async () => {
    const before = await runCli(['status'], { env });
    expect(before.stderr).toBe('');
    await suspectSweep('ping-all');
    const r = await runCli(['status'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(before.stdout);
    expect(r.stderr.trim()).toBe('warning: 3 of 3 hosts failed check ping-all at once: the monitor itself is suspect; no host was marked bad');
  });
});

describe('hosts', () => {
  it('add, list (table/json/csv), disable, enable', async () => {
    const add = await runCli(['hosts', 'add', 'n10', '--address', '10.0.0.10', '--group', 'batch', '--label', 'rack=r2'], { env });
    expect(add.code, add.stderr).toBe(0);
    const list = await runCli(['hosts', 'list', '--group', 'batch', '--json'], { env });
    const hosts = JSON.parse(list.stdout);
    expect(hosts).toEqual([expect.objectContaining({ name: 'n10', address: '10.0.0.10', groups: ['batch'], labels: { rack: 'r2' } })]);
    const csv = await runCli(['hosts', 'list', '--csv', '--search', 'n10'], { env });
    expect(csv.stdout.trim().split('\n')).toEqual(['NAME,ADDRESS,HEALTH,GROUPS,ENABLED', 'n10,10.0.0.10,UNKNOWN,batch,yes']);

    const dis = await runCli(['hosts', 'disable', 'n10', '--reason', 'new DIMM'], { env });
    expect(dis.code, dis.stderr).toBe(0);
    expect(dis.stdout).toMatch(/n10\s+ok/);
    const after = JSON.parse((await runCli(['hosts', 'list', '--disabled', '--json'], { env })).stdout);
    expect(after).toEqual([expect.objectContaining({ name: 'n10', enabled: false, disabledReason: 'new DIMM' })]);
    expect((await runCli(['hosts', 'enable', 'n10'], { env })).code).toBe(0);

    const dup = await runCli(['hosts', 'add', 'n10'], { env });
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/^corral: cannot add n10: /);
  });

  it('disable needs --reason; rm refuses without --yes when piped, removes with it', async () => {
    expect((await runCli(['hosts', 'disable', 'n03'], { env })).code).toBe(2);
    const refused = await runCli(['hosts', 'rm', 'n10'], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--yes');
    expect((await srv.gql('{ host(name: "n10") { name } }', {}, srv.adminToken)).data.host).not.toBeNull();
    const rm = await runCli(['hosts', 'rm', 'n10', '--yes', '--json'], { env });
    expect(rm.code, rm.stderr).toBe(0);
    expect(JSON.parse(rm.stdout).okCount).toBe(1);
    expect((await srv.gql('{ host(name: "n10") { name } }', {}, srv.adminToken)).data.host).toBeNull();
  });

  it('import a CSV file; a bad line imports nothing and names the line', async () => {
    const file = join(home.path, 'hosts.csv');
    writeFileSync(file, 'name,address,groups\nimp01,10.1.0.1,imported\nimp02,10.1.0.2,imported\n');
    const r = await runCli(['hosts', 'import', file, '--format', 'csv', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ count: 2, created: ['imp01', 'imp02'] });
    expect(r.stderr).toBe(''); // no progress noise when piped
    const bad = join(home.path, 'bad.csv');
    writeFileSync(bad, 'name,address,groups\nimp03,10.1.0.3,imported\n-bad name,,\n');
    const b = await runCli(['hosts', 'import', bad, '--format', 'csv'], { env });
    expect(b.code).toBe(1);
    expect(b.stderr).toMatch(/line 3/);
    expect((await srv.gql('{ host(name: "imp03") { name } }', {}, srv.adminToken)).data.host).toBeNull();
    const missing = await runCli(['hosts', 'import', join(home.path, 'nope.csv'), '--format', 'csv'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('ENOENT');
  });
});

describe('query', () => {
  it('runs with typed variables (String kept as text, Int parsed)', async () => {
    const r = await runCli(['query', 'query($n: String!) { host(name: $n) { name groups { name } } }', '--var', 'n=n01'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ host: { name: 'n01', groups: [{ name: 'render' }] } });
    const page = await runCli(['query', 'query($f: Int, $g: [String!]) { hosts(first: $f, filter: { groups: $g }) { edges { node { name } } } }', '--var', 'f=1', '--var', 'g=["render"]'], { env });
    expect(page.code, page.stderr).toBe(0);
    expect(JSON.parse(page.stdout).hosts.edges).toEqual([{ node: { name: 'n01' } }]);
  });

  it('GraphQL errors: exit 1 with the message; bad syntax and undeclared vars are usage errors', async () => {
    const r = await runCli(['query', '{ nosuchfield }'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nosuchfield');
    expect((await runCli(['query', '{ viewer { '], { env })).code).toBe(2);
    expect((await runCli(['query', '{ viewer { username } }', '--var', 'x=1'], { env })).code).toBe(2);
  });
});

describe('login and the config file', () => {
  it('login writes the token with mode 0600 and later commands use it', async () => {
    const cfgHome = tempDir('corral-cli-login-');
    try {
      const loginEnv = { HOME: cfgHome.path, XDG_CONFIG_HOME: join(cfgHome.path, 'xdg'), CORRAL_URL: srv.url };
      const r = await runCli(['login', '--username', 'admin', '--password-stdin'], { env: loginEnv, input: `${ADMIN_PASSWORD}\n` });
      expect(r.code, r.stderr).toBe(0);
      const path = join(cfgHome.path, 'xdg', 'corral', 'config.json');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const cfg = JSON.parse(readFileSync(path, 'utf8'));
      expect(cfg).toMatchObject({ url: srv.url, username: 'admin' });
      expect(r.stdout).not.toContain(cfg.token); // the secret is not echoed

      // No CORRAL_TOKEN and no CORRAL_URL: both come from the file.
      const q = await runCli(['query', '{ viewer { username role } }'], { env: { HOME: cfgHome.path, XDG_CONFIG_HOME: join(cfgHome.path, 'xdg') } });
      expect(q.code, q.stderr).toBe(0);
      expect(JSON.parse(q.stdout)).toEqual({ viewer: { username: 'admin', role: 'ADMIN' } });

      // Without XDG_CONFIG_HOME the file lives in ~/.config.
      const home2 = { HOME: cfgHome.path, CORRAL_URL: srv.url };
      expect((await runCli(['login', '-u', 'admin', '--password-stdin'], { env: home2, input: ADMIN_PASSWORD })).code).toBe(0);
      expect(statSync(join(cfgHome.path, '.config', 'corral', 'config.json')).mode & 0o777).toBe(0o600);

      const wrong = await runCli(['login', '-u', 'admin', '--password-stdin'], { env: loginEnv, input: 'wrong-password' });
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(/^corral: login failed: /);

      const out = await runCli(['logout'], { env: loginEnv });
      expect(out.code).toBe(0);
      expect(JSON.parse(readFileSync(path, 'utf8')).token).toBeUndefined();
      const after = await runCli(['status'], { env: { HOME: cfgHome.path, XDG_CONFIG_HOME: join(cfgHome.path, 'xdg') } });
      expect(after.code).toBe(1);
      expect(after.stderr).toContain('not logged in');
    } finally {
      cfgHome.remove();
    }
  });

  it('login without a terminal and without --username is a usage error', async () => {
    const r = await runCli(['login'], { env: { HOME: home.path, CORRAL_URL: srv.url } });
    expect(r.code).toBe(2);
  });
});

describe('users and tokens', () => {
  it('creates a user and a scoped API token that then works (and is refused after revoke)', async () => {
    const add = await runCli(['users', 'add', 'ops1', '--role', 'operator', '--group', 'render', '--password-stdin'], { env, input: 'ops1-password-xx\n' });
    expect(add.code, add.stderr).toBe(0);
    const users = JSON.parse((await runCli(['users', 'list', '--json'], { env })).stdout);
    expect(users.find((u: { username: string }) => u.username === 'ops1').grants).toEqual([{ role: 'OPERATOR', group: 'render' }]);

    const created = await runCli(['tokens', 'create', 'ci', '--role', 'viewer', '--json'], { env });
    expect(created.code, created.stderr).toBe(0);
    const tok = JSON.parse(created.stdout);
    const viewerEnv = { ...env, CORRAL_TOKEN: tok.token };
    expect((await runCli(['status', '--json'], { env: viewerEnv })).code).toBe(0);
    const listed = await runCli(['tokens', 'list', '--csv'], { env });
    expect(listed.stdout).toContain(`${tok.id},ci,`);
    expect((await runCli(['tokens', 'revoke', tok.id], { env })).code).toBe(0);
    const refused = await runCli(['status'], { env: viewerEnv });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('CORRAL_TOKEN was refused');
  });

  it('a viewer may not change hosts: exit 1, permission denied', async () => {
    const token = await srv.userToken('viewer1', 'VIEWER');
    const r = await runCli(['hosts', 'disable', 'n01', '--reason', 'x'], { env: { ...env, CORRAL_TOKEN: token } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^corral: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('checks', () => {
  it('adds and lists a check definition; runs it', async () => {
    const add = await runCli(['checks', 'add', 'ping-render', '--kind', 'ping', '--host', '@render', '--interval', '30'], { env });
    expect(add.code, add.stderr).toBe(0);
    const list = JSON.parse((await runCli(['checks', 'list', '--json'], { env })).stdout);
    expect(list).toEqual([expect.objectContaining({ name: 'ping-render', kind: 'ping', hosts: ['@render'], intervalS: 30 })]);
    const kinds = await runCli(['checks', 'kinds'], { env });
    expect(kinds.stdout).toMatch(/^ping\s/m);
    const bad = await runCli(['checks', 'add', 'x', '--kind', 'no-such-kind'], { env });
    expect(bad.code).toBe(1);
  });
});

describe('watch', () => {
  it('piped --json: one line per change, from the subscription', async () => {
    const watching = runCli(['watch', '--json', '--count', '1'], { env, timeoutMs: 30_000 });
    // Give it time to subscribe, then change a host.
    await new Promise((r) => setTimeout(r, 2500));
    await srv.gql('mutation { setHostsEnabled(hosts: ["n02"], enabled: false, reason: "watch test") { __typename } }', {}, srv.adminToken);
    const r = await watching;
    expect(r.code, r.stderr).toBe(0);
    const event = JSON.parse(r.stdout.trim().split('\n')[0]!);
    expect(event).toMatchObject({ host: 'n02', status: 'DISABLED' });
    await srv.gql('mutation { setHostsEnabled(hosts: ["n02"], enabled: true, reason: "watch test") { __typename } }', {}, srv.adminToken);
  });

  it('a suspect sweep is a "monitor" change in the stream', async () => {
    const watching = runCli(['watch', '--json', '--count', '1'], { env, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 2500));
    await suspectSweep('ping-watch');
    const r = await watching;
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n')[0]!)).toMatchObject({
      host: '-',
      kind: 'monitor',
      status: 'SUSPECT',
      summary: '3 of 3 hosts failed check ping-watch at once: the monitor itself is suspect; no host was marked bad',
    });
  });

  it('on a terminal: the live table is redrawn with a warning after a suspect sweep', async () => {
    const watching = runCliTty(['watch', '--no-color', '--count', '1'], { env });
    await new Promise((r) => setTimeout(r, 2500));
    await suspectSweep('ping-live');
    const r = await watching;
    expect(r.code, r.stderr).toBe(0);
    const lastFrame = r.stdout.split('\x1b[2J').at(-1)!;
    expect(lastFrame).toMatch(/^HOST\s+HEALTH/m);
    expect(lastFrame).toContain('warning: 3 of 3 hosts failed check ping-live at once');
  });
});
