/**
 * The ssh plugin's parsers and threshold rules on outputs real systems print (GNU, BSD, busybox),
 * including the awkward ones: mount points with spaces, 512-byte blocks, "-" percentages, garbage.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dfCheckParams, judgeDisks } from '../src/plugins/ssh/check-df.js';
import { judgeUptime, uptimeCheckParams } from '../src/plugins/ssh/check-uptime.js';
import { hostKeyFingerprint, pinHostKey, verifyHostKey } from '../src/plugins/ssh/host-key.js';
import { DfParseError, parseDf, parseDfInodes } from '../src/plugins/ssh/parse-df.js';
import { formatUptime, parseProcLoadavg, parseProcUptime, parseUptimeOutput, UptimeParseError } from '../src/plugins/ssh/parse-uptime.js';
import type { MountFigures } from '../src/plugins/ssh/read-disks.js';
import { sshSettingsSchema } from '../src/plugins/ssh/settings.js';
import { memoryState } from './helpers/check-context.js';

const GNU_DF_PT = `Filesystem     Type     1024-blocks     Used Available Capacity Mounted on
udev           devtmpfs     4001234        0   4001234       0% /dev
/dev/sda1      ext4       102687672 87654321   9790000      90% /
tmpfs          tmpfs        1638400  1572864     65536      96% /tmp
/dev/sdb1      ext4       515928320 10485760 479212340       3% /mnt/my backup disk
//nas/share    cifs      1048576000 52428800 996147200       5% /media/nas share 2024
`;

describe('parseDf', () => {
  it('reads GNU df -PT, keeping mount points with spaces whole', () => {
    const { rows, unparsed } = parseDf(GNU_DF_PT);
    expect(unparsed).toEqual([]);
    expect(rows.map((r) => r.mount)).toEqual(['/dev', '/', '/tmp', '/mnt/my backup disk', '/media/nas share 2024']);
    expect(rows[2]).toEqual({
      filesystem: 'tmpfs',
      fsType: 'tmpfs',
      mount: '/tmp',
      sizeKb: 1638400,
      usedKb: 1572864,
      availKb: 65536,
      usePct: 96,
    });
    expect(rows[4]?.fsType).toBe('cifs');
    expect(rows[4]?.filesystem).toBe('//nas/share');
  });

  it('reads plain df -P and converts 512-byte POSIX blocks to KiB', () => {
    const gnu = parseDf(`Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 1000 250 750 25% /\n`);
    expect(gnu.rows).toEqual([{ filesystem: '/dev/vda', mount: '/', sizeKb: 1000, usedKb: 250, availKb: 750, usePct: 25 }]);
    const bsd = parseDf(`Filesystem  512-blocks      Used     Avail Capacity  Mounted on\n/dev/ada0p2  2000  500  1500  25%  /\n`);
    expect(bsd.rows[0]).toMatchObject({ sizeKb: 1000, usedKb: 250, availKb: 750, usePct: 25 });
  });

  it('computes the percentage where df prints "-", and the later of two rows for one mount wins', () => {
    const { rows } = parseDf(
      `Filesystem 1024-blocks Used Available Capacity Mounted on\nproc 0 0 0 - /proc\nold 100 10 90 10% /data\nnew 100 99 1 99% /data\n`,
    );
    expect(rows).toEqual([
      { filesystem: 'proc', mount: '/proc', sizeKb: 0, usedKb: 0, availKb: 0, usePct: null },
      { filesystem: 'new', mount: '/data', sizeKb: 100, usedKb: 99, availKb: 1, usePct: 99 },
    ]);
  });

  it('skips stderr noise and keeps lines it cannot read for the summary; garbage without a header throws', () => {
    const { rows, unparsed } = parseDf(
      `df: /run/user/1000/gvfs: Permission denied\nFilesystem 1024-blocks Used Available Capacity Mounted on\n/dev/vda 1000 250 750 25% /\nthis is not a row\n`,
    );
    expect(rows).toHaveLength(1);
    expect(unparsed).toEqual(['this is not a row']);
    expect(() => parseDf('<html>502 Bad Gateway</html>')).toThrow(DfParseError);
    expect(() => parseDf('')).toThrow(/no df header/);
  });

  it('reads df -Pi, with "-" for filesystems without inodes', () => {
    const { rows } = parseDfInodes(`Filesystem      Inodes   IUsed   IFree IUse% Mounted on
/dev/sda1      6553600  654321 5899279   10% /
/dev/sdc1            0       0       0     - /boot/efi
tmpfs          4000000 3900000  100000   98% /tmp dir
`);
    expect(rows).toEqual([
      { filesystem: '/dev/sda1', mount: '/', inodes: 6553600, inodesUsed: 654321, inodesFree: 5899279, inodesUsePct: 10 },
      { filesystem: '/dev/sdc1', mount: '/boot/efi', inodes: 0, inodesUsed: 0, inodesFree: 0, inodesUsePct: null },
      { filesystem: 'tmpfs', mount: '/tmp dir', inodes: 4000000, inodesUsed: 3900000, inodesFree: 100000, inodesUsePct: 98 },
    ]);
  });

  it('any mount point (spaces, digits, percent signs) survives a round trip through df -P format', () => {
    const mountArb = fc
      .array(fc.constantFrom('a', 'b', ' ', '1', '%', '-', '_', '.', 'é'), { minLength: 1, maxLength: 20 })
      .map((cs) => `/${cs.join('')}`)
      .filter((m) => m.trim() === m);
    fc.assert(
      fc.property(mountArb, fc.nat(1e9), fc.nat(1e9), (mount, used, avail) => {
        const size = used + avail;
        const pct = size ? Math.ceil((used * 100) / size) : 0;
        const text = `Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/x ${size} ${used} ${avail} ${pct}% ${mount}\n`;
        const row = parseDf(text).rows[0];
        expect(row).toEqual({ filesystem: '/dev/x', mount, sizeKb: size, usedKb: used, availKb: avail, usePct: pct });
      }),
    );
  });
});

describe('uptime parsers', () => {
  it('reads /proc/uptime and /proc/loadavg', () => {
    expect(parseProcUptime('350735.47 234388.90\n')).toBe(350735.47);
    expect(parseProcLoadavg('0.10 0.25 1.50 1/234 5678\n')).toEqual({ load1: 0.1, load5: 0.25, load15: 1.5 });
    expect(() => parseProcUptime('cat: /proc/uptime: No such file or directory')).toThrow(UptimeParseError);
    expect(() => parseProcLoadavg('0.10 garbage')).toThrow(UptimeParseError);
  });

  it.each([
    [' 13:45:01 up 12 days,  3:04,  2 users,  load average: 0.10, 0.20, 0.30', 12 * 86400 + 3 * 3600 + 4 * 60, 0.1],
    [' 09:00:00 up 5 min,  0 users,  load average: 1.00, 0.50, 0.25', 300, 1],
    [' 09:00:00 up  2:30,  1 user,  load average: 0.00, 0.00, 0.00', 9000, 0],
    [' 09:00:00 up 1 day, 10 min,  1 user,  load average: 2.5, 2.5, 2.5', 86400 + 600, 2.5],
    ['10:01  up 3 mins, 1 user, load averages: 1.92 2.10 2.07', 180, 1.92],
    [' 09:00:00 up 40 days,  load average: 0.01, 0.02, 0.03', 40 * 86400, 0.01],
  ])('reads uptime output %j', (text, seconds, load1) => {
    const r = parseUptimeOutput(text);
    expect(r.uptimeS).toBe(seconds);
    expect(r.load1).toBe(load1);
  });

  it('rejects what is not uptime output', () => {
    expect(() => parseUptimeOutput('sh: uptime: not found')).toThrow(UptimeParseError);
    expect(() => parseUptimeOutput('up forever, load average: 1, 2, 3')).toThrow(UptimeParseError);
  });

  it('formats uptime like uptime does', () => {
    expect(formatUptime(59)).toBe('0 min');
    expect(formatUptime(300)).toBe('5 min');
    expect(formatUptime(9000)).toBe('2:30');
    expect(formatUptime(86400 + 61)).toBe('1 day 0:01');
    expect(formatUptime(12 * 86400 + 3 * 3600 + 4 * 60 + 59)).toBe('12 days 3:04');
  });
});

describe('judgeUptime', () => {
  const figures = { uptimeS: 600, load1: 3, load5: 4, load15: 1, cpus: 2 };
  it('OK with figures as metrics', () => {
    expect(judgeUptime(figures, uptimeCheckParams.parse({}))).toEqual({
      status: 'OK',
      summary: 'up 10 min, load 3.00 4.00 1.00 on 2 CPUs',
      metrics: { uptime_s: 600, load1: 3, load5: 4, load15: 1, cpus: 2 },
    });
  });
  it('WARN on a recent reboot and high load, CRIT above critLoadPerCpu', () => {
    const w = judgeUptime(figures, uptimeCheckParams.parse({ warnBelowS: 3600, maxLoadPerCpu: 1.5 }));
    expect(w.status).toBe('WARN');
    expect(w.summary).toBe('rebooted 10 min ago, 5-min load 2.00 per CPU (WARN >1.5); up 10 min, load 3.00 4.00 1.00 on 2 CPUs');
    const c = judgeUptime(figures, uptimeCheckParams.parse({ warnBelowS: 3600, maxLoadPerCpu: 1, critLoadPerCpu: 1.9 }));
    expect(c.status).toBe('CRIT');
    expect(c.summary).toMatch(/^rebooted 10 min ago, 5-min load 2\.00 per CPU \(CRIT >1\.9\);/);
  });
  it('refuses a WARN load above the CRIT load', () => {
    expect(uptimeCheckParams.safeParse({ maxLoadPerCpu: 3, critLoadPerCpu: 2 }).success).toBe(false);
  });
});

describe('judgeDisks', () => {
  const mount = (m: string, usePct: number, extra: Partial<MountFigures> = {}): MountFigures => ({
    filesystem: `/dev/${m.length}`,
    fsType: 'ext4',
    mount: m,
    sizeKb: 1_048_576,
    usedKb: Math.round(1_048_576 * (usePct / 100)),
    availKb: Math.round(1_048_576 * (1 - usePct / 100)),
    usePct,
    ...extra,
  });
  const p = (x: Record<string, unknown> = {}) => dfCheckParams.parse(x);

  it('OK names the fullest mount and its free space; metrics per mount', () => {
    const r = judgeDisks([mount('/', 40), mount('/home', 60)], p());
    expect(r.status).toBe('OK');
    expect(r.summary).toBe('2 mounts OK; fullest /home 60% used (410 MiB free)');
    expect(r.metrics).toMatchObject({ mounts: 2, '/_used_pct': 40, '/home_used_pct': 60, '/home_size_kb': 1_048_576 });
  });

  it('per-mount thresholds override the defaults; the worst mounts come first', () => {
    const r = judgeDisks(
      [mount('/', 87), mount('/tmp', 96), mount('/var', 90), mount('/data', 70)],
      p({ mounts: [{ path: '/tmp', warnPct: 85, critPct: 95 }, { path: '/var', warnPct: 95, critPct: 99 }] }),
    );
    expect(r.status).toBe('CRIT');
    expect(r.summary).toBe('/tmp 96% used (CRIT ≥95%), / 87% used (WARN ≥85%)');
  });

  it('inodes are judged too, with their own thresholds', () => {
    const inodes = { inodes: 100, inodesUsed: 97, inodesFree: 3, inodesUsePct: 97 };
    const r = judgeDisks([mount('/var', 10, { inodes })], p({ inodeWarnPct: 80, inodeCritPct: 90 }));
    expect(r).toMatchObject({ status: 'CRIT', summary: '/var inodes 97% used (CRIT ≥90%)' });
    expect(r.metrics?.['/var_inodes_used_pct']).toBe(97);
    expect(judgeDisks([mount('/var', 10, { inodes })], p({ includeInodes: false })).status).toBe('OK');
  });

  it('ignores pseudo filesystems by type unless listed; a listed mount that is missing is CRIT', () => {
    const mounts = [mount('/', 10), mount('/snap/core/1', 100, { fsType: 'squashfs' }), mount('/dev', 0, { fsType: 'devtmpfs' })];
    expect(judgeDisks(mounts, p()).status).toBe('OK');
    expect(judgeDisks(mounts, p()).metrics?.mounts).toBe(1);
    expect(judgeDisks(mounts, p({ ignoreFsTypes: [] })).status).toBe('CRIT');
    expect(judgeDisks(mounts, p({ mounts: [{ path: '/snap/core/1' }] })).status).toBe('CRIT');
    expect(judgeDisks(mounts, p({ mounts: [{ path: '/data' }] }))).toMatchObject({
      status: 'CRIT',
      summary: '/data not mounted',
    });
    expect(judgeDisks(mounts, p({ ignoreMounts: ['/'] })).metrics?.mounts).toBe(0);
  });

  it('names at most three problems', () => {
    const r = judgeDisks([mount('/a', 99), mount('/b', 98), mount('/c', 97), mount('/d', 96), mount('/e', 90)], p());
    expect(r.summary).toBe('/a 99% used (CRIT ≥95%), /b 98% used (CRIT ≥95%), /c 97% used (CRIT ≥95%), and 2 more');
  });

  it('refuses warn above crit', () => {
    expect(dfCheckParams.safeParse({ warnPct: 96, critPct: 95 }).success).toBe(false);
    expect(dfCheckParams.safeParse({ mounts: [{ path: '/tmp', warnPct: 99 }] }).success).toBe(false);
    expect(dfCheckParams.safeParse({ mounts: [{ path: 'tmp' }] }).success).toBe(false);
  });
});

describe('host key pinning', () => {
  it('pins on first use, accepts the same key, refuses a different one without re-pinning', async () => {
    const state = memoryState();
    const a = Buffer.from('key-a');
    const b = Buffer.from('key-b');
    expect(await verifyHostKey(state, 'h', a)).toEqual({ ok: true, fingerprint: hostKeyFingerprint(a), newlyPinned: true });
    expect(await verifyHostKey(state, 'h', a)).toMatchObject({ ok: true, newlyPinned: false });
    expect(await verifyHostKey(state, 'h', b)).toEqual({ ok: false, expected: hostKeyFingerprint(a), got: hostKeyFingerprint(b) });
    expect(await verifyHostKey(state, 'h', b)).toMatchObject({ ok: false });
    expect(await verifyHostKey(state, 'other', b)).toMatchObject({ ok: true, newlyPinned: true });
    await pinHostKey(state, 'h', hostKeyFingerprint(b));
    expect(await verifyHostKey(state, 'h', b)).toMatchObject({ ok: true, newlyPinned: false });
    await expect(pinHostKey(state, 'h', 'MD5:aa:bb')).rejects.toThrow(/not a SHA256/);
  });

  it('fingerprints like ssh-keygen -l (unpadded base64 of SHA-256)', () => {
    expect(hostKeyFingerprint(Buffer.from(''))).toBe('SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU');
  });
});

describe('settings', () => {
  it('defaults user root and port 22; refuses option-like addresses and bad users', () => {
    expect(sshSettingsSchema.parse({})).toEqual({ user: 'root', port: 22 });
    expect(sshSettingsSchema.safeParse({ address: '-oProxyCommand=x' }).success).toBe(false);
    expect(sshSettingsSchema.safeParse({ user: 'root; rm -rf /' }).success).toBe(false);
    expect(sshSettingsSchema.safeParse({ port: 70000 }).success).toBe(false);
    expect(sshSettingsSchema.parse({ address: '10.0.0.5', port: 2222, user: 'svc-mon' })).toMatchObject({ port: 2222 });
  });
});
