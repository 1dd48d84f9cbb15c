import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckKind, CheckOutcome, HostTarget } from '../src/core/plugin.js';
import type { ExecParams } from '../src/plugins/exec/check.js';
import { createExecPlugin, execPlugin } from '../src/plugins/exec/plugin.js';
import { resolveProgram } from '../src/plugins/exec/program-policy.js';
import { checkContext, target } from './helpers/check-context.js';
import { hasPeers, tempDir } from './helpers/peers.js';

const NAGIOS_DIR = '/usr/lib/nagios/plugins';
const byHost = (outcomes: CheckOutcome[]) => new Map(outcomes.map((o) => [o.hostId, o]));
const withLabels = (name: string, labels: Record<string, string>, address: string | null = '127.0.0.1'): HostTarget => ({
  ...target(name, address),
  labels,
});
const execCheckOf = (plugin: typeof execPlugin) => plugin.checks!.exec as CheckKind<ExecParams>;

describe.runIf(hasPeers('check_dummy', 'check_disk'))('exec check with Debian monitoring-plugins', () => {
  const check = execCheckOf(execPlugin);

  it('is admin-only', () => {
    expect(check.adminOnly).toBe(true);
  });

  it('check_dummy 0..3 maps to OK/WARN/CRIT/UNKNOWN with its own text', async () => {
    const hosts = ['0', '1', '2', '3'].map((s) => withLabels(`d${s}`, { state: s }));
    const params = check.params.parse({ program: 'check_dummy', args: ['{label:state}', 'hello from {host}'] });
    const o = byHost(await check.run(hosts, params, checkContext(5000)));
    expect(hosts.map((h) => [o.get(h.id)?.status, o.get(h.id)?.summary])).toEqual([
      ['OK', 'OK: hello from d0'],
      ['WARN', 'WARNING: hello from d1'],
      ['CRIT', 'CRITICAL: hello from d2'],
      ['UNKNOWN', 'UNKNOWN: hello from d3'],
    ]);
  });

  it('check_disk by absolute path: status, summary and perfdata as metrics', async () => {
    const host = target('disk', null);
    const params = check.params.parse({ program: `${NAGIOS_DIR}/check_disk`, args: ['-w', '1%', '-c', '1%', '-p', '/'] });
    const [o] = await check.run([host], params, checkContext(10_000));
    expect(o?.status).toBe('OK');
    expect(o?.summary).toMatch(/^DISK OK - free space: \/ /);
    expect(o?.summary).not.toContain('|');
    expect(o?.metrics?.['/']).toBeGreaterThan(0);
  });

  it('a multi-call plugin reached through its symlink runs under its own name', async () => {
    // check_tcp behind the check_ftp symlink: it must see argv[0] = check_ftp, so port 21 is its default.
    const params = check.params.parse({ program: 'check_ftp', args: ['-H', '{address}', '-t', '2'] });
    const [o] = await check.run([target('ftp', '127.0.0.1')], params, checkContext(5000));
    expect(o?.status).toBe('CRIT');
    expect(o?.summary).toBe('connect to address 127.0.0.1 and port 21: Connection refused');
  });

  it('refuses a program outside the allowed directories, at definition and at run time', async () => {
    const r = check.params.safeParse({ program: '/bin/sh', args: ['-c', 'id'] });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toBe('program /bin/sh is not in an allowed plugin directory (/usr/lib/nagios/plugins)');
    await expect(
      check.run([target('x', null)], { program: '/bin/sh', args: ['-c', 'id'], concurrency: 1 }, checkContext(2000)),
    ).rejects.toThrow('program /bin/sh is not in an allowed plugin directory (/usr/lib/nagios/plugins)');
    expect(check.params.safeParse({ program: `${NAGIOS_DIR}/../../../../bin/sh` }).success).toBe(false);
    expect(check.params.safeParse({ program: 'sh' }).error?.issues[0]?.message).toBe(
      'program sh was not found in the allowed plugin directories (/usr/lib/nagios/plugins)',
    );
    expect(check.params.safeParse({ program: 'plugins/check_dummy' }).success).toBe(false);
  });
});

describe.runIf(hasPeers('sh', 'sleep'))('exec check with scripts in a configured directory', () => {
  let dir: { path: string; remove(): void };
  let plugins: string;
  let check: CheckKind<ExecParams>;

  const script = (name: string, body: string) => {
    const p = join(plugins, name);
    writeFileSync(p, `#!/bin/sh\n${body}\n`);
    chmodSync(p, 0o755);
    return p;
  };

  beforeAll(() => {
    dir = tempDir('corral-exec-');
    plugins = join(dir.path, 'plugins');
    mkdirSync(plugins);
    check = execCheckOf(createExecPlugin({ allowedDirs: [plugins] }));
    script(
      'check_code',
      `echo "STATUS $1 for $2 | 'time taken'=0.5s;1;2;0; size=12KB"\necho "long text"\necho "more | extra=7"\nexit "$1"`,
    );
    script('check_args', 'echo "ARGS: $*"');
    script('check_slow', 'if [ "$1" = slow ]; then sleep 30; fi\necho "OK - fast $1"');
    script('check_silent', 'echo "only on stderr" >&2\nexit 2');
    script('check_garbage', "printf 'no status at all \\001\\002 | =;;; x=U y=abc\\n'\nexit 42");
    writeFileSync(join(plugins, 'not_executable'), '#!/bin/sh\necho hi\n');
    symlinkSync('/bin/sh', join(plugins, 'check_escape'));
    mkdirSync(join(dir.path, 'plugins-evil'));
    writeFileSync(join(dir.path, 'plugins-evil', 'check_x'), '#!/bin/sh\necho hi\n');
    chmodSync(join(dir.path, 'plugins-evil', 'check_x'), 0o755);
  });
  afterAll(() => dir?.remove());

  it('maps every exit code and parses perfdata from the first line and the long text', async () => {
    const codes = ['0', '1', '2', '3', '7'];
    const hosts = codes.map((c) => withLabels(`c${c}`, { code: c }));
    const params = check.params.parse({ program: 'check_code', args: ['{label:code}', '{host}'] });
    const o = byHost(await check.run(hosts, params, checkContext(5000)));
    expect(hosts.map((h) => o.get(h.id)?.status)).toEqual(['OK', 'WARN', 'CRIT', 'UNKNOWN', 'UNKNOWN']);
    expect(o.get(hosts[0]!.id)).toMatchObject({
      summary: 'STATUS 0 for c0',
      metrics: { 'time taken': 0.5, size: 12, extra: 7 },
    });
    expect(o.get(hosts[4]!.id)?.summary).toBe('check_code exited with code 7: STATUS 7 for c7');
  });

  it('falls back to stderr when stdout is empty, and survives garbage output', async () => {
    const [silent] = await check.run([target('s', null)], check.params.parse({ program: 'check_silent' }), checkContext(5000));
    expect(silent).toMatchObject({ status: 'CRIT', summary: 'only on stderr' });
    const [garbage] = await check.run([target('g', null)], check.params.parse({ program: 'check_garbage' }), checkContext(5000));
    expect(garbage?.status).toBe('UNKNOWN');
    expect(garbage?.summary).toBe('check_garbage exited with code 42: no status at all ??');
    expect(garbage?.metrics).toBeUndefined();
  });

  it('a run past its timeout is CRIT on time while the rest of the batch completes', async () => {
    const hosts = [withLabels('slow', { mode: 'slow' }), ...['a', 'b', 'c', 'd', 'e'].map((n) => withLabels(n, { mode: n }))];
    const params = check.params.parse({ program: 'check_slow', args: ['{label:mode}'], concurrency: 2 });
    const started = Date.now();
    const o = byHost(await check.run(hosts, params, checkContext(1000)));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(2500);
    expect(o.get(hosts[0]!.id)).toMatchObject({ status: 'CRIT', summary: 'check_slow timed out after 1s' });
    expect(o.get(hosts[0]!.id)!.durationMs).toBeGreaterThanOrEqual(950);
    for (const h of hosts.slice(1)) {
      expect(o.get(h.id)).toMatchObject({ status: 'OK', summary: `OK - fast ${h.name}` });
      expect(o.get(h.id)!.durationMs).toBeLessThan(900);
    }
  });

  it('an aborted sweep stops the running program and skips hosts not started yet, promptly', async () => {
    const hosts = [withLabels('slow', { mode: 'slow' }), withLabels('next', { mode: 'next' })];
    const params = check.params.parse({ program: 'check_slow', args: ['{label:mode}'], concurrency: 1 });
    const started = Date.now();
    const o = byHost(await check.run(hosts, params, { ...checkContext(10_000), signal: AbortSignal.timeout(300) }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(o.get(hosts[0]!.id)).toMatchObject({ status: 'UNKNOWN', summary: 'check_slow was stopped: the check was aborted' });
    expect(o.get(hosts[1]!.id)).toMatchObject({ status: 'UNKNOWN', summary: 'check_slow not run: the check was aborted' });
  });

  it('a host label starting with "-" cannot inject an option', async () => {
    const evil = withLabels('evil', { role: '--help' });
    const good = withLabels('good', { role: 'web' });
    const params = check.params.parse({ program: 'check_args', args: ['--host={address}', '{label:role}', '--role={label:role}'] });
    const o = byHost(await check.run([evil, good], params, checkContext(5000)));
    expect(o.get(evil.id)).toMatchObject({
      status: 'UNKNOWN',
      summary: 'check_args not run: label "role" gives the argument "--help", which starts with "-" and would be read as an option; refused',
    });
    expect(o.get(good.id)).toMatchObject({ status: 'OK', summary: 'ARGS: --host=127.0.0.1 web --role=web' });
    expect(check.params.safeParse({ program: 'check_args', args: ['-H{address}'] }).success).toBe(false);
  });

  it('refuses a symlink leading out of the directory, a sibling directory and a non-executable file', async () => {
    expect(() => resolveProgram('check_escape', [plugins])).toThrow(
      /^program .*\/plugins\/check_escape resolves to \/.*sh, which is not in an allowed plugin directory \(.*\/plugins\)$/,
    );
    const r = check.params.safeParse({ program: join(plugins, 'check_escape') });
    expect(r.error?.issues[0]?.message).toMatch(/resolves to .*sh, which is not in an allowed plugin directory/);
    await expect(
      check.run([target('x', null)], { program: 'check_escape', args: [], concurrency: 1 }, checkContext(2000)),
    ).rejects.toThrow(/not in an allowed plugin directory/);
    // A prefix match is not containment: plugins-evil is not inside plugins.
    expect(() => resolveProgram(join(dir.path, 'plugins-evil', 'check_x'), [plugins])).toThrow(/not in an allowed plugin directory/);
    expect(() => resolveProgram(join(plugins, '..', 'plugins-evil', 'check_x'), [plugins])).toThrow(
      /not in an allowed plugin directory/,
    );
    expect(() => resolveProgram('not_executable', [plugins])).toThrow(/is not executable/);
    expect(resolveProgram('check_code', [plugins])).toEqual({
      path: join(plugins, 'check_code'),
      realPath: join(plugins, 'check_code'),
    });
  });
});
