/**
 * The ssh plugin against a real sshd on a loopback port: login with a pinned host key, uptime and
 * df figures compared with what the system ssh client prints, thresholds, and every way a host
 * can fail (wrong key, changed host key, refused, silent, garbage) giving a fast, readable outcome.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CheckKind, CheckOutcome, HostTarget } from '../src/core/plugin.js';
import { SSH_MAX_AGE_MS } from '../src/plugins/ssh/check-ssh.js';
import { getPinnedHostKey } from '../src/plugins/ssh/host-key.js';
import { getDisks } from '../src/plugins/ssh/live.js';
import { createSshPlugin } from '../src/plugins/ssh/plugin.js';
import { SshSessionPool } from '../src/plugins/ssh/session-pool.js';
import { checkContext, memoryState, target } from './helpers/check-context.js';
import { freePort, hasPeers } from './helpers/peers.js';
import { type SshdPeer, startSshd } from './peers/sshd.js';

type State = ReturnType<typeof memoryState>;

async function runCheck(
  pool: SshSessionPool,
  kind: 'ssh' | 'uptime' | 'df',
  t: HostTarget,
  state: State,
  params: Record<string, unknown> = {},
  timeoutMs = 5000,
): Promise<CheckOutcome> {
  const check = createSshPlugin(pool).checks?.[kind] as CheckKind<unknown>;
  const parsed = check.params.parse(params);
  const [outcome] = await check.run([t], parsed, checkContext(timeoutMs, state));
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

/** `df -P` as the system ssh client prints it, split simply (the test machine has no spaces in mount points). */
function parseDfSimply(text: string) {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => {
      const f = l.trim().split(/\s+/);
      return {
        filesystem: f[0],
        sizeKb: Number(f[1]),
        usedKb: Number(f[2]),
        availKb: Number(f[3]),
        usePct: Number(f[4]?.replace('%', '')),
        mount: f.slice(5).join(' '),
      };
    });
}

describe.runIf(hasPeers('sshd', 'ssh', 'ssh-keygen'))('ssh plugin against a real sshd', () => {
  let peer: SshdPeer;
  const pools: SshSessionPool[] = [];
  const newPool = () => {
    const p = new SshSessionPool();
    pools.push(p);
    return p;
  };
  const hostFor = (extra: Record<string, unknown> = {}) =>
    target('node01', '127.0.0.1', { port: peer.port, privateKey: peer.clientKey, ...extra });

  beforeAll(async () => {
    peer = await startSshd();
  }, 30_000);
  afterEach(() => {
    for (const p of pools.splice(0)) p.closeAll();
  });
  afterAll(async () => {
    await peer?.stop();
  });

  it('logs in, reports the banner and connect time, and pins the host key on first use', async () => {
    const state = memoryState();
    const t = hostFor();
    const out = await runCheck(newPool(), 'ssh', t, state);
    expect(out.status).toBe('OK');
    expect(out.summary).toMatch(/^SSH-2\.0-OpenSSH_\S+.*, connected in \d+ ms; host key SHA256:\S+ pinned$/);
    expect(out.metrics?.connect_ms).toBeGreaterThan(0);
    expect(out.hostId).toBe(t.id);
    const pinned = await getPinnedHostKey(state, t.id);
    expect(pinned?.fingerprint).toBe(await peer.hostKeyFingerprint());

    // Second time round the key is known: OK without re-pinning.
    const again = await runCheck(newPool(), 'ssh', t, state);
    expect(again.status).toBe('OK');
    expect(again.summary).not.toContain('pinned');
  });

  it('reports uptime and load equal to what `ssh … cat /proc/uptime` prints', async () => {
    const state = memoryState();
    const out = await runCheck(newPool(), 'uptime', hostFor(), state);
    const up = await peer.ssh('cat /proc/uptime; cat /proc/loadavg; getconf _NPROCESSORS_ONLN');
    expect(up.code).toBe(0);
    const [uptimeLine, loadLine, cpuLine] = up.stdout.trim().split('\n');
    const uptimeS = Number(uptimeLine?.split(' ')[0]);
    const [l1, l5, l15] = (loadLine ?? '').split(' ').map(Number);
    expect(out.status).toBe('OK');
    expect(Math.abs((out.metrics?.uptime_s ?? 0) - uptimeS)).toBeLessThan(5);
    // Load moves between the two reads; the 15-minute figure barely does.
    expect(Math.abs((out.metrics?.load15 ?? -1) - (l15 ?? 0))).toBeLessThan(0.5);
    expect(out.metrics?.load1).toBeGreaterThanOrEqual(0);
    expect(out.metrics?.load5).toBeGreaterThanOrEqual(0);
    expect(l1).toBeGreaterThanOrEqual(0);
    expect(l5).toBeGreaterThanOrEqual(0);
    expect(out.metrics?.cpus).toBe(Number(cpuLine));
    expect(out.summary).toMatch(/^up .+, load \d+\.\d\d \d+\.\d\d \d+\.\d\d on \d+ CPUs?$/);
  });

  it('WARNs after a recent reboot and on high load per CPU, thresholds set relative to the real figures', async () => {
    const state = memoryState();
    const pool = newPool();
    const t = hostFor();
    const first = await runCheck(pool, 'uptime', t, state);
    const uptimeS = first.metrics?.uptime_s ?? 0;
    const rebooted = await runCheck(pool, 'uptime', t, state, { warnBelowS: uptimeS + 3600 });
    expect(rebooted.status).toBe('WARN');
    expect(rebooted.summary).toMatch(/^rebooted .+ ago; up /);
    const calm = await runCheck(pool, 'uptime', t, state, { warnBelowS: 1 });
    expect(calm.status).toBe('OK');
    // Any load is above a threshold of a millionth per CPU; a test machine is never completely idle.
    const busy = await runCheck(pool, 'uptime', t, state, { maxLoadPerCpu: 0.001, critLoadPerCpu: 1000 });
    if ((busy.metrics?.load5 ?? 0) / (busy.metrics?.cpus ?? 1) > 0.001) {
      expect(busy.status).toBe('WARN');
      expect(busy.summary).toMatch(/^5-min load \d+\.\d\d per CPU \(WARN >0\.001\); up /);
    }
    const overloaded = await runCheck(pool, 'uptime', t, state, { maxLoadPerCpu: 0.0005, critLoadPerCpu: 0.001 });
    if ((overloaded.metrics?.load5 ?? 0) / (overloaded.metrics?.cpus ?? 1) > 0.001) {
      expect(overloaded.status).toBe('CRIT');
      expect(overloaded.summary).toMatch(/^5-min load \d+\.\d\d per CPU \(CRIT >0\.001\); up /);
    }
  });

  it('lists the same mounts and figures as `ssh … df -P`, in Host.disks and in the df metrics', async () => {
    const state = memoryState();
    const pool = newPool();
    const t = hostFor();
    const [disks, out, printed] = await Promise.all([
      getDisks(t, pool, state),
      runCheck(pool, 'df', t, state, { ignoreFsTypes: [] }),
      peer.ssh('df -P'),
    ]);
    expect(printed.code).toBe(0);
    const expected = parseDfSimply(printed.stdout);
    expect(expected.length).toBeGreaterThan(0);
    expect(disks.map((d) => d.mount)).toEqual(expected.map((e) => e.mount));
    for (const e of expected) {
      const d = disks.find((x) => x.mount === e.mount);
      expect(d?.filesystem).toBe(e.filesystem);
      expect(d?.sizeKb).toBe(e.sizeKb);
      // Other tests write files meanwhile: allow 64 MiB of drift.
      expect(Math.abs((d?.usedKb ?? -1) - e.usedKb)).toBeLessThan(65_536);
      expect(Math.abs((d?.availKb ?? -1) - e.availKb)).toBeLessThan(65_536);
      expect(Math.abs((d?.usePct ?? -10) - e.usePct)).toBeLessThanOrEqual(1);
      expect(d?.inodes).toBeGreaterThanOrEqual(0);

      expect(out.metrics?.[`${e.mount}_size_kb`]).toBe(e.sizeKb);
      expect(Math.abs((out.metrics?.[`${e.mount}_used_pct`] ?? -10) - e.usePct)).toBeLessThanOrEqual(1);
    }
    expect(out.metrics?.mounts).toBe(expected.length);
    expect(out.summary).toMatch(new RegExp(`^${expected.length} mounts? OK; fullest `));
  });

  it('applies per-mount thresholds: WARN and CRIT on /, CRIT for a listed mount that is missing', async () => {
    const state = memoryState();
    const pool = newPool();
    const t = hostFor();
    const printed = await peer.ssh('df -P /');
    const rootPct = parseDfSimply(printed.stdout)[0]?.usePct ?? Number.NaN;
    expect(rootPct).toBeGreaterThanOrEqual(1);
    expect(rootPct).toBeLessThan(99);
    const below = rootPct - 1; // just under the real usage, so a 1% drift cannot flip the result

    // Inodes are judged separately (unit tests); here only space, so the summary is exactly one finding.
    const warn = await runCheck(pool, 'df', t, state, {
      includeInodes: false,
      mounts: [{ path: '/', warnPct: below, critPct: 100 }],
    });
    expect(warn.status).toBe('WARN');
    expect(warn.summary).toMatch(new RegExp(`^/ (${rootPct - 1}|${rootPct}|${rootPct + 1})% used \\(WARN ≥${below}%\\)$`));

    const crit = await runCheck(pool, 'df', t, state, {
      includeInodes: false,
      mounts: [{ path: '/', warnPct: 0, critPct: below }],
    });
    expect(crit.status).toBe('CRIT');
    expect(crit.summary).toMatch(new RegExp(`^/ (${rootPct - 1}|${rootPct}|${rootPct + 1})% used \\(CRIT ≥${below}%\\)$`));

    const ok = await runCheck(pool, 'df', t, state, {
      onlyListed: true,
      mounts: [{ path: '/', warnPct: rootPct + 1, critPct: 100 }],
    });
    expect(ok.status).toBe('OK');
    expect(ok.summary).toMatch(/^1 mount OK; fullest \/ \d+% used \(.+ free\)$/);

    const missing = await runCheck(pool, 'df', t, state, { onlyListed: true, mounts: [{ path: '/no/such/mount' }] });
    expect(missing.status).toBe('CRIT');
    expect(missing.summary).toBe('/no/such/mount not mounted');
  });

  it('shares one connection for ssh, uptime and df of the same host in a sweep', async () => {
    const state = memoryState();
    const pool = newPool();
    const t = hostFor();
    const before = peer.acceptedLogins();
    const outs = await Promise.all([
      runCheck(pool, 'ssh', t, state),
      runCheck(pool, 'uptime', t, state),
      runCheck(pool, 'df', t, state),
    ]);
    expect(outs.map((o) => o.status)).toEqual(['OK', 'OK', 'OK']);
    // and once more, sequentially, inside the window
    await runCheck(pool, 'df', t, state);
    expect(pool.stats.connects).toBe(1);
    expect(pool.stats.reused).toBe(3);
    // sshd's own log agrees: exactly one login.
    await new Promise((r) => setTimeout(r, 100));
    expect(peer.acceptedLogins() - before).toBe(1);
  });

  it('CRIT "authentication failed (publickey)" with a key sshd does not accept', async () => {
    const out = await runCheck(newPool(), 'ssh', hostFor({ privateKey: peer.otherKey }), memoryState());
    expect(out.status).toBe('CRIT');
    expect(out.summary).toBe('authentication failed (publickey)');
  });

  it('UNKNOWN without a key or with an unreadable key, without touching the network', async () => {
    const pool = newPool();
    const noKey = await runCheck(pool, 'ssh', target('node02', '127.0.0.1', { port: peer.port }), memoryState());
    expect(noKey).toMatchObject({ status: 'UNKNOWN', summary: 'no SSH key configured for this host' });
    const noSettings = await runCheck(pool, 'df', target('node03', '127.0.0.1'), memoryState());
    expect(noSettings).toMatchObject({ status: 'UNKNOWN', summary: 'no SSH key configured for this host' });
    const bad = await runCheck(pool, 'ssh', hostFor({ privateKey: 'not a key' }), memoryState());
    expect(bad.status).toBe('UNKNOWN');
    expect(bad.summary).toMatch(/^private key could not be read: /);
    expect(bad.summary).not.toContain('not a key');
    expect(pool.stats.connects).toBe(0);
  });

  describe('hosts that do not speak SSH', () => {
    const servers: Server[] = [];
    const sockets = new Set<Socket>();
    let silentPort: number;
    let garbagePort: number;
    let chattyPort: number;
    const listen = async (onConnection: (s: Socket) => void) => {
      const port = await freePort();
      const srv = createServer((s) => {
        sockets.add(s);
        s.on('error', () => {});
        onConnection(s);
      });
      servers.push(srv);
      await new Promise<void>((r) => srv.listen(port, '127.0.0.1', r));
      return port;
    };
    beforeAll(async () => {
      silentPort = await listen(() => {}); // accepts, never says a word
      garbagePort = await listen((s) => s.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n'));
      chattyPort = await listen((s) => s.write('220 mail.example ESMTP ready\r\n')); // and stays open
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((srv) => new Promise((r) => srv.close(r))));
    });

    it('a silent host is CRIT "no answer within N s", bounded by connectTimeoutS and by the check timeout', async () => {
      let started = performance.now();
      const out = await runCheck(newPool(), 'ssh', hostFor({ port: silentPort, connectTimeoutS: 1 }), memoryState());
      let took = performance.now() - started;
      expect(out).toMatchObject({ status: 'CRIT', summary: 'no answer within 1 s' });
      expect(took).toBeGreaterThan(900);
      expect(took).toBeLessThan(1500);

      started = performance.now();
      const bounded = await runCheck(newPool(), 'ssh', hostFor({ port: silentPort }), memoryState(), {}, 1500);
      took = performance.now() - started;
      expect(bounded.status).toBe('CRIT');
      expect(bounded.summary).toMatch(/^no answer within 1(\.\d)? s$/);
      expect(took).toBeLessThan(1700);
    });

    it('a host answering garbage is CRIT with a readable summary', async () => {
      const started = performance.now();
      const out = await runCheck(newPool(), 'ssh', hostFor({ port: garbagePort }), memoryState());
      expect(out.status).toBe('CRIT');
      expect(out.summary).toBe('not an SSH server (it said "HTTP/1.1 400 Bad Request")');
      expect(performance.now() - started).toBeLessThan(1000);

      const chatty = await runCheck(newPool(), 'ssh', hostFor({ port: chattyPort, connectTimeoutS: 1 }), memoryState());
      expect(chatty).toMatchObject({
        status: 'CRIT',
        summary: 'not an SSH server (it said "220 mail.example ESMTP ready"); no SSH banner within 1 s',
      });
    });
  });

  // The remaining tests change the daemon (host key, running state); they run last.

  it('a changed host key is CRIT "host key changed" everywhere, the pin is kept, and only accept-host-key re-pins', async () => {
    const state = memoryState();
    const t = hostFor();
    const first = await runCheck(newPool(), 'ssh', t, state);
    expect(first.status).toBe('OK');
    const oldFp = await peer.hostKeyFingerprint();

    await peer.rotateHostKey();
    const newFp = await peer.hostKeyFingerprint();
    expect(newFp).not.toBe(oldFp);

    const pool = newPool();
    const before = peer.acceptedLogins();
    const out = await runCheck(pool, 'ssh', t, state);
    expect(out.status).toBe('CRIT');
    expect(out.summary).toBe(
      `host key changed: expected ${oldFp}, got ${newFp} (possible MITM; clear the pinned key to accept)`,
    );
    expect((await getPinnedHostKey(state, t.id))?.fingerprint).toBe(oldFp);
    // uptime/df do not log in either, and say why.
    const df = await runCheck(pool, 'df', t, state);
    expect(df.status).toBe('CRIT');
    expect(df.summary).toContain('host key changed');
    const again = await runCheck(newPool(), 'ssh', t, state);
    expect(again.status).toBe('CRIT');
    expect((await getPinnedHostKey(state, t.id))?.fingerprint).toBe(oldFp);
    expect(peer.acceptedLogins()).toBe(before);

    // The audited admin action is the way to accept the new key.
    const accept = createSshPlugin(pool).actions?.['ssh.accept-host-key'];
    expect(accept?.minRole).toBe('admin');
    expect(accept?.dangerous).toBe(true);
    const [res] = await accept!.run([t], accept!.params.parse({ fingerprint: newFp }), checkContext(5000, state));
    expect(res).toMatchObject({ ok: true, message: `host key pinned: ${newFp} (was ${oldFp})` });
    const ok = await runCheck(pool, 'ssh', t, state);
    expect(ok.status).toBe('OK');
  }, 30_000);

  it('a stopped sshd is seen by the next ssh check after the sweep window, though an older pooled session still works', async () => {
    const state = memoryState();
    const t = hostFor();
    const pool = newPool(); // one pool across sweeps, as in the server
    expect((await runCheck(pool, 'ssh', t, state)).status).toBe('OK');
    await peer.stopDaemon();
    try {
      await new Promise((r) => setTimeout(r, SSH_MAX_AGE_MS + 200));
      const out = await runCheck(pool, 'ssh', t, state);
      expect(out).toMatchObject({ status: 'CRIT', summary: 'connection refused' });
    } finally {
      await peer.startDaemon();
    }
  }, 30_000);

  it('a stopped sshd is CRIT "connection refused" within a second; uptime/df do not retry in the same sweep', async () => {
    const state = memoryState();
    const t = hostFor();
    await peer.stopDaemon();
    const pool = newPool();
    const started = performance.now();
    const out = await runCheck(pool, 'ssh', t, state);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(out).toMatchObject({ status: 'CRIT', summary: 'connection refused' });

    const [up, df] = await Promise.all([runCheck(pool, 'uptime', t, state), runCheck(pool, 'df', t, state)]);
    expect(up).toMatchObject({ status: 'UNKNOWN', summary: 'not measured: SSH connection refused' });
    expect(df).toMatchObject({ status: 'UNKNOWN', summary: 'not measured: SSH connection refused' });
    expect(pool.stats.connects).toBe(1);
    expect(pool.stats.failuresReplayed).toBe(2);
    await expect(getDisks(t, pool, state)).rejects.toThrow('connection refused');

    // Back up: a fresh sweep (new window) connects again.
    await peer.startDaemon();
    const back = await runCheck(newPool(), 'ssh', t, state);
    expect(back.status).toBe('OK');
  }, 30_000);
});
