import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandRunner } from '../src/core/command.js';
import type { ActionKind, CheckKind, HostTarget, Plugin } from '../src/core/plugin.js';
import type { IpmiPowerParams } from '../src/plugins/ipmi/actions.js';
import type { IpmiCheckParams } from '../src/plugins/ipmi/check.js';
import { ipmitoolArgs } from '../src/plugins/ipmi/ipmitool.js';
import { getPowerView } from '../src/plugins/ipmi/live.js';
import { lastPowerChange } from '../src/plugins/ipmi/power-history.js';
import { createIpmiPlugin, ipmiPlugin } from '../src/plugins/ipmi/plugin.js';
import { parseSdrElist } from '../src/plugins/ipmi/sensors.js';
import { ipmiSettingsSchema, resolveBmc } from '../src/plugins/ipmi/settings.js';
import { checkContext, memoryState, target } from './helpers/check-context.js';
import { hasPeers } from './helpers/peers.js';
import { freeUdpPort, type IpmiAccount, type IpmiSimPeer, startIpmiSim } from './peers/ipmi-sim.js';

const check = ipmiPlugin.checks!.ipmi as CheckKind<IpmiCheckParams>;
const power = ipmiPlugin.actions!['ipmi.power'] as ActionKind<IpmiPowerParams>;
const noSensors = { sensors: false };

describe('ipmi settings', () => {
  it('refuses cipher suite 0 with a clear message', () => {
    const r = ipmiSettingsSchema.safeParse({ user: 'admin', password: 'x', cipherSuite: 0 });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message).toMatch(/cipher suite 0 is refused/);
  });

  it('defaults to port 623, suite 17, lanplus and a bounded -N 1 -R 1; the password never reaches argv', () => {
    const t = target('n01', '10.1.2.3', { user: 'admin', password: 'TopSecret99' });
    const r = resolveBmc(t);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.bmc).toMatchObject({ address: '10.1.2.3', port: 623, cipherSuite: 17, timeoutS: 1, retries: 1 });
    const argv = ipmitoolArgs(r.bmc, ['chassis', 'power', 'status']).join(' ');
    expect(argv).toContain('-I lanplus -C 17 -H 10.1.2.3 -p 623 -U admin -L ADMINISTRATOR -E -N 1 -R 1');
    expect(argv).not.toContain('TopSecret99');
  });

  it('refuses values that ipmitool could read as options', () => {
    expect(ipmiSettingsSchema.safeParse({ user: '-oFoo', password: 'x' }).success).toBe(false);
    expect(ipmiSettingsSchema.safeParse({ user: 'a', password: 'x', address: '-H' }).success).toBe(false);
    const r = resolveBmc(target('n01', '-evil', { user: 'admin', password: 'x' }));
    expect(r).toEqual({ ok: false, message: 'invalid BMC address "-evil"' });
  });

  it('a host without BMC settings is UNKNOWN, not a crash', async () => {
    const [o] = await check.run([target('n01', '127.0.0.1')], noSensors, checkContext());
    expect(o).toMatchObject({ status: 'UNKNOWN', summary: 'no BMC settings for this host' });
  });

  it('describe() names the command and the BMC without touching it', () => {
    const t = target('n01', '10.0.0.5', { address: '127.0.0.1', port: 9001, user: 'admin', password: 'pw', cipherSuite: 3 });
    expect(power.describe(t, { action: 'cycle', waitS: 10 })).toBe('would power cycle n01 via BMC 127.0.0.1:9001 as admin (cipher suite 3)');
  });
});

describe('ipmi sensor parsing', () => {
  it('turns crossed thresholds into warning and critical lists', () => {
    const h = parseSdrElist(
      [
        'cpu temp         | 30h | ucr  |  3.1 | 97 degrees C',
        'fan 1            | 40h | ok   | 29.1 | 5400 RPM',
        'inlet temp       | 31h | unc  | 64.1 | 41 degrees C',
        'psu 2            | 50h | ns   | 10.2 | No Reading',
        'garbage line',
      ].join('\n'),
    );
    expect(h.total).toBe(4);
    expect(h.critical.map((p) => p.name)).toEqual(['cpu temp']);
    expect(h.warning.map((p) => p.name)).toEqual(['inlet temp']);
  });
});

/** Every ipmitool argv currently on the machine (via /proc), to look for the password. */
function ipmitoolCmdlines(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes('ipmitool')) out.push(cmd);
    } catch {} // the process ended between readdir and read
  }
  return out;
}

describe.runIf(hasPeers('ipmi_sim', 'ipmitool', 'sdrcomp'))('ipmi against ipmi_sim', () => {
  let a: IpmiSimPeer;
  let b: IpmiSimPeer;

  const bmcTarget = (peer: IpmiSimPeer, name: string, account: IpmiAccount = peer.admin, extra: Record<string, unknown> = {}): HostTarget =>
    target(name, '10.99.0.1', {
      address: peer.address,
      port: peer.port,
      user: account.user,
      password: account.password,
      cipherSuite: 3,
      ...(account.privilege ? { privilege: account.privilege } : {}),
      ...extra,
    });

  beforeAll(async () => {
    [a, b] = await Promise.all([startIpmiSim(), startIpmiSim()]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
  });

  it('reads power status: OK "power on", matching the real ipmitool', async () => {
    const t = bmcTarget(a, 'n01');
    const [o] = await check.run([t], noSensors, checkContext());
    expect(o).toMatchObject({ hostId: t.id, status: 'OK', summary: 'power on', metrics: { power: 1 } });
    expect(await a.powerStatus()).toBe('on');
    expect(await getPowerView(t, checkContext().run)).toEqual({ reachable: true, state: 'on' });
  });

  it('uses the host address when the BMC has none', async () => {
    const t = target('n02', '127.0.0.1', { port: a.port, user: a.admin.user, password: a.admin.password, cipherSuite: 3 });
    const [o] = await check.run([t], noSensors, checkContext());
    expect(o!.summary).toBe('power on');
  });

  it('powers off, on and cycles; the real ipmitool sees each state', async () => {
    const t = bmcTarget(a, 'n01');
    const ctx = checkContext(20_000);

    const [off] = await power.run([t], { action: 'off', waitS: 10 }, ctx);
    expect(off).toMatchObject({ hostId: t.id, ok: true, message: 'power is now off', details: { power: 'off', before: 'on' } });
    expect(await a.powerStatus()).toBe('off');
    expect(a.power()).toBe('off');
    const [offCheck] = await check.run([t], noSensors, ctx);
    expect(offCheck).toMatchObject({ status: 'OK', summary: 'power off', metrics: { power: 0 } });
    expect((await lastPowerChange(ctx.state, t.id))?.state).toBe('off');

    const [on] = await power.run([t], { action: 'on', waitS: 10 }, ctx);
    expect(on).toMatchObject({ ok: true, message: 'power is now on', details: { power: 'on', before: 'off' } });
    expect(await a.powerStatus()).toBe('on');

    const logBefore = readFileSync(`${a.dir}/chassis.log`, 'utf8').length;
    const [cycle] = await power.run([t], { action: 'cycle', waitS: 10 }, ctx);
    expect(cycle).toMatchObject({ ok: true, message: 'power cycled; power is now on', details: { power: 'on' } });
    // The machine really went off and came back: the fixture saw power 0 then power 1.
    const sets = readFileSync(`${a.dir}/chassis.log`, 'utf8').slice(logBefore).split('\n').filter((l) => l.startsWith('set'));
    expect(sets).toEqual(['set power 0', 'set power 1']);
    expect(await a.powerStatus()).toBe('on');
  });

  it('hard reset and soft shutdown reach the BMC', async () => {
    const t = bmcTarget(b, 'n03');
    const [reset] = await power.run([t], { action: 'reset', waitS: 5 }, checkContext());
    expect(reset).toMatchObject({ ok: true, message: 'reset; power is on' });
    expect(readFileSync(`${b.dir}/chassis.log`, 'utf8')).toContain('set reset 1');
    const [soft] = await power.run([t], { action: 'soft', waitS: 5 }, checkContext());
    expect(soft).toMatchObject({ ok: true, message: 'soft shutdown requested; power is now off', details: { power: 'off' } });
    expect(await b.powerStatus()).toBe('off');
    const [on] = await power.run([t], { action: 'on', waitS: 5 }, checkContext());
    expect(on!.ok).toBe(true);
    expect(await b.powerStatus()).toBe('on');
  });

  it('a wrong password is CRIT "authentication failed"', async () => {
    const t = bmcTarget(a, 'n01', { user: a.admin.user, password: 'wrong-password' });
    const [o] = await check.run([t], noSensors, checkContext());
    expect(o).toMatchObject({ status: 'CRIT', summary: 'authentication failed' });
    expect(await getPowerView(t, checkContext().run)).toEqual({ reachable: true, state: 'unknown', error: 'authentication failed' });
    const [act] = await power.run([t], { action: 'off', waitS: 1 }, checkContext());
    expect(act).toMatchObject({ ok: false, message: 'authentication failed' });
    expect(a.power()).toBe('on');
  });

  it('a cipher suite the BMC does not offer is CRIT, naming the suite', async () => {
    const t = bmcTarget(a, 'n01', a.admin, { cipherSuite: 17 });
    const [o] = await check.run([t], noSensors, checkContext());
    expect(o).toMatchObject({ status: 'CRIT', summary: 'cipher suite 17 not supported by the BMC' });
  });

  it('an unreachable BMC is UNKNOWN within the timeout', async () => {
    const dead = { ...a, port: await freeUdpPort() };
    const t = bmcTarget(dead, 'n09');
    const started = performance.now();
    const [o] = await check.run([t], noSensors, checkContext());
    const elapsed = performance.now() - started;
    expect(o).toMatchObject({ status: 'UNKNOWN', summary: 'BMC unreachable (no answer within 2s)' });
    expect(elapsed).toBeLessThan(4000);
    expect(await getPowerView(t, checkContext().run)).toMatchObject({ reachable: false, state: 'unknown' });
  });

  it('a USER-level account cannot power off: "insufficient privilege", power unchanged', async () => {
    const t = bmcTarget(a, 'n01', a.viewer);
    const [status] = await check.run([t], noSensors, checkContext());
    expect(status).toMatchObject({ status: 'OK', summary: 'power on' });
    const [o] = await power.run([t], { action: 'off', waitS: 2 }, checkContext());
    expect(o).toMatchObject({ ok: false, message: 'insufficient privilege', details: { power: 'on', failure: 'privilege' } });
    expect(await a.powerStatus()).toBe('on');
  });

  it('never shows the password in any process argv while an action runs', async () => {
    const t = bmcTarget(a, 'n01');
    const seen: string[] = [];
    let running = true;
    const scan = (async () => {
      while (running) {
        seen.push(...ipmitoolCmdlines());
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const [o] = await power.run([t], { action: 'cycle', waitS: 10 }, checkContext(20_000));
    running = false;
    await scan;
    expect(o!.ok).toBe(true);
    expect(seen.length).toBeGreaterThan(0); // the scan did catch ipmitool running
    expect(seen.some((c) => c.includes(`-p ${a.port}`))).toBe(true);
    for (const c of seen) expect(c).not.toContain(a.admin.password);
  });

  it('with sensors: true, crossed thresholds turn into WARN and CRIT', async () => {
    const t = bmcTarget(b, 'n04');
    const sensors = { sensors: true };
    const [ok] = await check.run([t], sensors, checkContext());
    expect(ok).toMatchObject({ status: 'OK', summary: 'power on; sensors ok (1)', metrics: { sensors: 1, sensorsCritical: 0 } });
    try {
      await b.setCpuTemp(120);
      const [warn] = await check.run([t], sensors, checkContext());
      expect(warn).toMatchObject({ status: 'WARN', summary: 'power on; 1 sensor(s) warning: cpu temp (unc, 120 degrees C)' });
      await b.setCpuTemp(150);
      const [crit] = await check.run([t], sensors, checkContext());
      expect(crit).toMatchObject({ status: 'CRIT', summary: 'power on; 1 sensor(s) critical: cpu temp (ucr, 150 degrees C)' });
      // Without the sensors option the same BMC is just its power state.
      const [plain] = await check.run([t], noSensors, checkContext());
      expect(plain).toMatchObject({ status: 'OK', summary: 'power on' });
    } finally {
      await b.setCpuTemp(64);
    }
  });

  it('keeps at most maxSessions ipmitool processes at once across BMCs', async () => {
    const plugin: Plugin = createIpmiPlugin({ maxSessions: 2 });
    const limitedCheck = plugin.checks!.ipmi as CheckKind<IpmiCheckParams>;
    const limitedPower = plugin.actions!['ipmi.power'] as ActionKind<IpmiPowerParams>;
    const targets = [1, 2, 3, 4, 5, 6].map((i) => bmcTarget(i % 2 ? a : b, `n0${i}`));
    const base = checkContext(20_000);
    let active = 0;
    let peak = 0;
    let calls = 0;
    const counting: CommandRunner = async (file, args, opts) => {
      active += 1;
      calls += 1;
      peak = Math.max(peak, active);
      try {
        return await base.run(file, args, opts);
      } finally {
        active -= 1;
      }
    };
    const ctx = { ...base, run: counting, state: memoryState() };
    const outcomes = await limitedCheck.run(targets, noSensors, ctx);
    expect(outcomes.map((o) => o.status)).toEqual(Array(6).fill('OK'));
    expect(calls).toBe(6);
    expect(peak).toBe(2);

    peak = 0;
    const acted = await limitedPower.run(targets, { action: 'on', waitS: 2 }, ctx);
    expect(acted.every((o) => o.ok && o.message === 'power was already on')).toBe(true);
    expect(peak).toBe(2);
  });
});
