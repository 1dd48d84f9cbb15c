/**
 * The boinc plugin as the scheduler and the API use it: the `boinc` check, the actions and the
 * live view, against a real BOINC client and against small fake TCP peers that lie or stay silent.
 */
import { type Server, type Socket, connect, createServer } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBoincActions } from '../src/plugins/boinc/actions.js';
import { createBoincCheck } from '../src/plugins/boinc/check.js';
import { BoincClientPool } from '../src/plugins/boinc/client-pool.js';
import { getBoincView } from '../src/plugins/boinc/live.js';
import { boincPlugin } from '../src/plugins/boinc/plugin.js';
import { boincSettingsSchema } from '../src/plugins/boinc/settings.js';
import { checkContext, target } from './helpers/check-context.js';
import { freePort, hasPeers, waitFor } from './helpers/peers.js';
import { BOINC_PROJECT_NAME, BOINC_PROJECT_URL, BOINC_TASKS, type BoincPeer, startBoinc } from './peers/boinc.js';

/** A TCP server on 127.0.0.1 that does `onConn` with each connection and counts them. */
async function fakePeer(onConn: (s: Socket) => void): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  let n = 0;
  const sockets = new Set<Socket>();
  const srv: Server = createServer((s) => {
    n += 1;
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConn(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const addr = srv.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    connections: () => n,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
}

/** Forwards to the real client and counts connections (to see reuse and the absence of retry storms). */
function countingProxy(toPort: number) {
  return fakePeer((s) => {
    const up = connect(toPort, '127.0.0.1');
    up.on('error', () => s.destroy());
    s.on('close', () => up.destroy());
    up.on('close', () => s.destroy());
    s.pipe(up);
    up.pipe(s);
  });
}

const settings = (port: number, extra: Record<string, unknown> = {}) =>
  boincSettingsSchema.parse({ port, connectTimeoutMs: 1000, replyTimeoutMs: 800, ...extra });

describe('boinc plugin shape', () => {
  it('declares the check, the actions and write-only password settings', () => {
    expect(Object.keys(boincPlugin.checks ?? {})).toEqual(['boinc']);
    expect(Object.keys(boincPlugin.actions ?? {}).sort()).toEqual([
      'boinc.mode',
      'boinc.project',
      'boinc.project-remove',
      'boinc.task',
      'boinc.task-abort',
    ]);
    const a = boincPlugin.actions ?? {};
    expect(Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v.dangerous]))).toEqual({
      'boinc.mode': false,
      'boinc.project': false,
      'boinc.project-remove': true,
      'boinc.task': false,
      'boinc.task-abort': true,
    });
    expect(boincPlugin.hostSettings?.secrets).toEqual(['password']);
    expect(boincSettingsSchema.parse({})).toMatchObject({ port: 31416 });
    expect(boincSettingsSchema.safeParse({ address: '-oProxyCommand=x' }).success).toBe(false);
    expect(a['boinc.project']?.params.safeParse({ url: BOINC_PROJECT_URL, op: 'detach' }).success).toBe(false);
    expect(a['boinc.task']?.params.safeParse({ projectUrl: BOINC_PROJECT_URL, name: 'a\nb', op: 'suspend' }).success).toBe(false);
  });
});

describe('boinc check against peers that fail', () => {
  const pool = new BoincClientPool({ backoffBaseMs: 30_000 });
  const check = createBoincCheck(pool);
  const params = check.params.parse({});
  const peers: Array<{ close(): Promise<void> }> = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.close();
  });
  afterAll(() => pool.close());

  const runTimed = async (t: ReturnType<typeof target>) => {
    const started = performance.now();
    const [o] = await check.run([t], params, checkContext(5000));
    return { o, ms: performance.now() - started };
  };

  it('closed port: CRIT "connection refused" at once, then fails fast in backoff', async () => {
    const t = target('closed', '127.0.0.1', settings(await freePort()));
    const first = await runTimed(t);
    expect(first.o).toMatchObject({ hostId: t.id, status: 'CRIT', summary: 'connection refused' });
    expect(first.ms).toBeLessThan(500);
    const second = await runTimed(t);
    expect(second.o?.status).toBe('CRIT');
    expect(second.o?.summary).toMatch(/^connection refused; never seen; next try in \d+ s$/);
  });

  it('silent peer: CRIT within the reply timeout; the second call within backoff fails fast', async () => {
    const silent = await fakePeer(() => {});
    peers.push(silent);
    const t = target('silent', '127.0.0.1', settings(silent.port, { replyTimeoutMs: 600 }));
    const first = await runTimed(t);
    expect(first.o?.status).toBe('CRIT');
    expect(first.o?.summary).toBe('no reply within 600 ms');
    expect(first.ms).toBeGreaterThanOrEqual(550);
    expect(first.ms).toBeLessThan(1500);
    const second = await runTimed(t);
    expect(second.o?.summary).toMatch(/^no reply within 600 ms; never seen; next try in \d+ s$/);
    expect(second.ms).toBeLessThan(50);
    expect(silent.connections()).toBe(1);
  });

  it('garbage: UNKNOWN with a readable summary', async () => {
    const liar = await fakePeer((s) => s.once('data', () => s.write('HTTP/1.1 400 Bad Request\r\n\r\n\x03')));
    peers.push(liar);
    const { o, ms } = await runTimed(target('liar', '127.0.0.1', settings(liar.port)));
    expect(o?.status).toBe('UNKNOWN');
    expect(o?.summary).toMatch(/^invalid reply: /);
    expect(ms).toBeLessThan(1000);
  });

  it('truncated reply: UNKNOWN "truncated reply"', async () => {
    const cut = await fakePeer((s) =>
      s.once('data', () => s.end('<boinc_gui_rpc_reply>\n<server_version>\n<major>7</maj')),
    );
    peers.push(cut);
    const { o } = await runTimed(target('cut', '127.0.0.1', settings(cut.port)));
    expect(o?.status).toBe('UNKNOWN');
    expect(o?.summary).toMatch(/^truncated reply: connection closed after \d+ bytes$/);
  });

  it('a peer streaming without an end marker is bounded by the reply timeout', async () => {
    const flood = await fakePeer((s) => s.once('data', () => s.write(Buffer.alloc(200_000, 0x41))));
    peers.push(flood);
    const { o, ms } = await runTimed(target('flood', '127.0.0.1', settings(flood.port)));
    expect(o?.status).toBe('CRIT'); // never ends: the reply timeout applies
    expect(ms).toBeLessThan(1500);
  });

  it('invalid settings give UNKNOWN naming the field, for that host only', async () => {
    const good = await fakePeer(() => {});
    peers.push(good);
    const outcomes = await check.run(
      [target('bad', '127.0.0.1', { port: 'x' }), target('also-closed', '127.0.0.1', settings(await freePort()))],
      params,
      checkContext(5000),
    );
    expect(outcomes.map((o) => o.status)).toEqual(['UNKNOWN', 'CRIT']);
    expect(outcomes[0]?.summary).toMatch(/^invalid BOINC settings: port/);
  });
});

describe.runIf(hasPeers('boinc', 'boinccmd'))('boinc plugin against a real client', () => {
  let peer: BoincPeer;
  const pool = new BoincClientPool({ backoffBaseMs: 30_000 });
  const check = createBoincCheck(pool);
  const actions = createBoincActions(pool);
  let host: ReturnType<typeof target>;

  beforeAll(async () => {
    peer = await startBoinc();
    host = target('cruncher', '127.0.0.1', settings(peer.port, { password: peer.password, replyTimeoutMs: 5000 }));
  });
  afterAll(async () => {
    pool.close();
    await peer?.stop();
  });

  const act = (kind: string, targets: ReturnType<typeof target>[], p: unknown) => {
    const a = actions[kind];
    if (!a) throw new Error(kind);
    return a.run(targets, a.params.parse(p), checkContext(10_000));
  };

  it('WARN for the errored task by default; OK when one error is tolerated', async () => {
    const [warn] = await check.run([host], check.params.parse({}), checkContext());
    expect(warn?.status).toBe('WARN');
    expect(warn?.summary).toMatch(/^1 task in error — BOINC 7\.20\.\d+, 4 tasks: 1 executing, 1 waiting, 1 ready to report, 1 in error$/);
    const [ok] = await check.run([host], check.params.parse({ maxErrorTasks: 1 }), checkContext());
    expect(ok?.status).toBe('OK');
    expect(ok?.summary).toMatch(/^BOINC 7\.20\.\d+ computing, run mode auto; 4 tasks/);
    expect(ok?.metrics).toMatchObject({ tasks: 4, tasks_executing: 1, tasks_error: 1 });
  });

  it('run mode never (set by the action) is WARN unless expected; per-host outcomes for many hosts', async () => {
    const closed = target('gone', '127.0.0.1', settings(await freePort()));
    const outcomes = await act('boinc.mode', [host, closed], { what: 'run', mode: 'never' });
    expect(outcomes).toEqual([
      { hostId: host.id, ok: true, message: 'run mode is now never', details: { mode: 'never', temporaryForS: 0 } },
      { hostId: closed.id, ok: false, message: 'connection refused' },
    ]);
    expect((await peer.boinccmd(['--get_cc_status'])).stdout).toMatch(/CPU status\n.*\n\s+current mode: never/);
    const p = { maxErrorTasks: 1 };
    const [warn] = await check.run([host], check.params.parse(p), checkContext());
    expect(warn?.status).toBe('WARN');
    expect(warn?.summary).toMatch(/^computing suspended \((user request, )?run mode never\)/);
    const [ok] = await check.run([host], check.params.parse({ ...p, runMode: 'never' }), checkContext());
    expect(ok?.status).toBe('OK');
    const [wrong] = await check.run([host], check.params.parse({ ...p, runMode: 'always' }), checkContext());
    expect(wrong?.summary).toMatch(/^run mode is never, expected always/);
    const [temp] = await act('boinc.mode', [host], { what: 'run', mode: 'auto', durationS: 120 });
    expect(temp?.message).toMatch(/^run mode is now auto for 1[12]\d s$/);
    await act('boinc.mode', [host], { what: 'run', mode: 'auto' });
    await waitFor(async () => (await check.run([host], check.params.parse(p), checkContext()))[0]?.status === 'OK', 5000, 'OK again');
  });

  it('project and task actions act on the real client and read back the result', async () => {
    const [nmw] = await act('boinc.project', [host], { url: BOINC_PROJECT_URL, op: 'allowmorework' });
    expect(nmw).toMatchObject({ ok: true, details: { attached: true, dontRequestMoreWork: false } });
    expect((await peer.boinccmd(['--get_project_status'])).stdout).toContain("don't request more work: no");
    const [susp] = await act('boinc.project', [host], { url: BOINC_PROJECT_URL, op: 'suspend' });
    expect(susp).toMatchObject({ ok: true, details: { suspended: true }, message: 'project suspend done: suspended, accepting work' });
    await act('boinc.project', [host], { url: BOINC_PROJECT_URL, op: 'resume' });
    const [missing] = await act('boinc.project', [host], { url: 'http://127.0.0.1:9/none/', op: 'update' });
    expect(missing).toMatchObject({ ok: false, message: 'No such project' });

    let executing = '';
    await waitFor(async () => {
      const v = await getBoincView(host, pool);
      executing = v.tasks.find((t) => t.state === 'executing')?.name ?? '';
      return executing !== '';
    }, 10_000, 'an executing task');
    const [s] = await act('boinc.task', [host], { projectUrl: BOINC_PROJECT_URL, name: executing, op: 'suspend' });
    expect(s).toMatchObject({ ok: true, details: { state: 'suspended' } });
    const [r] = await act('boinc.task', [host], { projectUrl: BOINC_PROJECT_URL, name: executing, op: 'resume' });
    expect(r?.ok).toBe(true);
    const waiting = executing === BOINC_TASKS.running ? BOINC_TASKS.waiting : BOINC_TASKS.running;
    const [ab] = await act('boinc.task-abort', [host], { projectUrl: BOINC_PROJECT_URL, name: waiting });
    expect(ab).toMatchObject({ ok: true, details: { state: 'aborted' } });
    expect((await peer.boinccmd(['--get_tasks'])).stdout).toMatch(new RegExp(`name: ${waiting}\\n(.*\\n)*?\\s+state: aborted`));
  });

  it('the live view shows projects, tasks in each state and recent messages', async () => {
    const v = await getBoincView(host, pool, { messages: 5 });
    expect(v).toMatchObject({ reachable: true, error: null, runMode: 'auto', networkMode: 'auto' });
    expect(v.version).toMatch(/^7\.20\.\d+$/);
    expect(v.projects).toEqual([
      { url: BOINC_PROJECT_URL, name: BOINC_PROJECT_NAME, userCredit: 1234.5, hostCredit: 321.25, suspended: false, dontRequestMoreWork: false },
    ]);
    const states = Object.fromEntries(v.tasks.map((t) => [t.name, t.state]));
    expect(states[BOINC_TASKS.reported]).toBe('ready_to_report');
    expect(states[BOINC_TASKS.errored]).toBe('error');
    expect(v.tasks.every((t) => t.projectName === BOINC_PROJECT_NAME && t.deadline instanceof Date)).toBe(true);
    expect(v.tasks.find((t) => t.name === BOINC_TASKS.reported)?.fractionDone).toBe(1);
    expect(v.messages).toHaveLength(5);
    expect(v.lastSeenAt).toBeInstanceOf(Date);
  });

  it('wrong password: CRIT "authorisation failed", one connection, no retry storm', async () => {
    const proxy = await countingProxy(peer.port);
    try {
      const bad = target('badpw', '127.0.0.1', settings(proxy.port, { password: 'wrong' }));
      const outcomes = [];
      for (let i = 0; i < 5; i++) outcomes.push((await check.run([bad], check.params.parse({}), checkContext()))[0]);
      expect(outcomes[0]).toMatchObject({ status: 'CRIT', summary: 'authorisation failed: wrong GUI RPC password' });
      for (const o of outcomes.slice(1)) {
        expect(o?.status).toBe('CRIT');
        expect(o?.summary).toMatch(/^authorisation failed: wrong GUI RPC password; never seen; next try in \d+ s$/);
      }
      expect(proxy.connections()).toBe(1);
      // A corrected password is a new setting: tried at once, and the connection is then reused.
      const good = target('badpw', '127.0.0.1', settings(proxy.port, { password: peer.password }));
      for (let i = 0; i < 3; i++) expect((await check.run([good], check.params.parse({ maxErrorTasks: 5 }), checkContext()))[0]?.status).toBe('OK');
      expect(proxy.connections()).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('a host that goes away: reachable:false at once, with when it was last seen', async () => {
    const proxy = await countingProxy(peer.port);
    const h = target('flaky', '127.0.0.1', settings(proxy.port, { password: peer.password }));
    const up = await getBoincView(h, pool, { messages: 0 });
    expect(up.reachable).toBe(true);
    await proxy.close(); // drops the pooled connection and stops listening
    const down = await getBoincView(h, pool);
    expect(down).toMatchObject({ reachable: false, errorCode: 'refused', projects: [], tasks: [] });
    expect(down.lastSeenAt?.getTime()).toBe(up.lastSeenAt?.getTime());
    const started = performance.now();
    const again = await getBoincView(h, pool);
    expect(performance.now() - started).toBeLessThan(20);
    expect(again.error).toMatch(new RegExp(`^connection refused; last seen ${up.lastSeenAt?.toISOString().replace(/\./g, '\\.')}; next try in \\d+ s$`));
  });
});
