/**
 * The GUI RPC client against a real BOINC client: what it reports equals what boinccmd prints,
 * changes made through it are seen by boinccmd and the other way round, the remote-address auth
 * rule holds; and the parser boundary never lets an exception other than BoincError escape.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BoincError } from '../src/plugins/boinc/errors.js';
import { readDiskUsage, readFileTransfers, readGlobalPrefs, readMessages, readNotices } from '../src/plugins/boinc/parse-misc.js';
import { readCcStatus, readClientState, readProjects, readResults } from '../src/plugins/boinc/parse-state.js';
import { BoincClient } from '../src/plugins/boinc/rpc-client.js';
import { parseReply } from '../src/plugins/boinc/xml.js';
import { hasPeers, waitFor } from './helpers/peers.js';
import { BOINC_PROJECT_NAME, BOINC_PROJECT_URL, BOINC_TASKS, type BoincPeer, startBoinc } from './peers/boinc.js';

/** boinccmd's `state:` names for BOINC result states. */
const BOINCCMD_RESULT_STATE: Record<number, string> = {
  0: 'new',
  1: 'downloading',
  2: 'downloaded',
  3: 'compute error',
  4: 'uploading',
  5: 'uploaded',
  6: 'aborted',
  7: 'upload failed',
};
const BOINCCMD_MODE: Record<string, string> = { always: 'always', auto: 'according to prefs', never: 'never' };

/** Splits boinccmd --get_tasks / the results part of --get_state into one field map per task. */
function boinccmdTasks(out: string): Map<string, Record<string, string>> {
  const tasks = new Map<string, Record<string, string>>();
  let cur: Record<string, string> | null = null;
  for (const line of out.split('\n')) {
    const m = /^ {3}([^:]+): ?(.*)$/.exec(line);
    if (!m) continue;
    const [, k, v] = m as unknown as [string, string, string];
    if (k === 'name') {
      cur = {};
      tasks.set(v, cur);
    }
    if (cur) cur[k] = v;
  }
  return tasks;
}

/** "CPU status\n    not suspended\n    current mode: never …" → { cpu: { mode, suspended } … }. */
function boinccmdCcStatus(out: string): Record<'CPU' | 'GPU' | 'Network', { mode: string; perm: string; suspended: string }> {
  const res: Record<string, { mode: string; perm: string; suspended: string }> = {};
  const re = /^(CPU|GPU|Network) status\n {4}(.*)\n {4}current mode: (.*)\n {4}perm mode: (.*)$/gm;
  for (const m of out.matchAll(re)) res[m[1] as string] = { suspended: m[2] as string, mode: m[3] as string, perm: m[4] as string };
  return res as ReturnType<typeof boinccmdCcStatus>;
}

describe.runIf(hasPeers('boinc', 'boinccmd'))('BOINC GUI RPC client against a real client', () => {
  let peer: BoincPeer;
  let client: BoincClient;
  const opts = () => ({ host: '127.0.0.1', port: peer.port, connectTimeoutMs: 2000, replyTimeoutMs: 5000 });

  beforeAll(async () => {
    peer = await startBoinc({ allowRemote: true });
    client = new BoincClient({ ...opts(), password: peer.password });
  });
  afterAll(async () => {
    client?.close();
    await peer?.stop();
  });

  it('get_state reports the same projects and tasks as boinccmd --get_state', async () => {
    const [state, cmd] = await Promise.all([client.getState(), peer.boinccmd(['--get_state'])]);
    expect(cmd.code).toBe(0);
    expect(state.version).toEqual({ major: 7, minor: 20, release: expect.any(Number) });
    const v = await peer.boinccmd(['--client_version']);
    expect(v.stdout).toContain(`Client version: ${state.version.major}.${state.version.minor}.${state.version.release}`);
    expect(await client.getVersion()).toEqual(state.version); // exchange_versions agrees with get_state
    expect(state.projects.map((p) => [p.url, p.name])).toEqual([[BOINC_PROJECT_URL, BOINC_PROJECT_NAME]]);
    expect(cmd.stdout).toContain(`name: ${BOINC_PROJECT_NAME}`);
    expect(cmd.stdout).toContain(`master URL: ${BOINC_PROJECT_URL}`);
    expect(cmd.stdout).toContain(`user_total_credit: ${state.projects[0]?.userCredit.toFixed(6)}`);
    expect(state.projects[0]?.dontRequestMoreWork).toBe(true);
    expect(cmd.stdout).toContain("don't request more work: yes");

    const theirs = boinccmdTasks(cmd.stdout.slice(cmd.stdout.indexOf('======== Tasks ========')));
    expect([...theirs.keys()].sort()).toEqual(state.tasks.map((t) => t.name).sort());
    for (const t of state.tasks) {
      const b = theirs.get(t.name) ?? {};
      expect(b['WU name'], t.name).toBe(t.wuName);
      expect(b['project URL'], t.name).toBe(t.projectUrl);
      expect(b.state, t.name).toBe(BOINCCMD_RESULT_STATE[t.resultState]);
      expect(b['ready to report'], t.name).toBe(t.readyToReport ? 'yes' : 'no');
      expect(b.active_task_state === 'EXECUTING', t.name).toBe(t.active?.activeTaskState === 1);
    }
    const byName = new Map(state.tasks.map((t) => [t.name, t.state]));
    expect(byName.get(BOINC_TASKS.reported)).toBe('ready_to_report');
    expect(byName.get(BOINC_TASKS.errored)).toBe('error');
    expect([byName.get(BOINC_TASKS.running), byName.get(BOINC_TASKS.waiting)].sort()).toEqual(['executing', 'waiting']);
    expect(state.hostInfo.ncpus).toBe(1); // cc_config <ncpus>1</ncpus>
  });

  it('get_results and get_cc_status match boinccmd --get_tasks and --get_cc_status', async () => {
    const [tasks, cc, cmdTasks, cmdCc] = await Promise.all([
      client.getResults(),
      client.getCcStatus(),
      peer.boinccmd(['--get_tasks']),
      peer.boinccmd(['--get_cc_status']),
    ]);
    const theirs = boinccmdTasks(cmdTasks.stdout);
    expect([...theirs.keys()].sort()).toEqual(tasks.map((t) => t.name).sort());
    for (const t of tasks) {
      expect(theirs.get(t.name)?.state).toBe(BOINCCMD_RESULT_STATE[t.resultState]);
      if (t.active?.pid) expect(theirs.get(t.name)?.PID).toBe(String(t.active.pid));
    }
    const s = boinccmdCcStatus(cmdCc.stdout);
    expect(s.CPU.mode).toBe(BOINCCMD_MODE[cc.taskMode]);
    expect(s.GPU.mode).toBe(BOINCCMD_MODE[cc.gpuMode]);
    expect(s.Network.mode).toBe(BOINCCMD_MODE[cc.networkMode]);
    expect(s.CPU.suspended).toBe(cc.taskSuspendReason === 0 ? 'not suspended' : expect.stringMatching(/^suspended/));
  });

  it('a run mode set through the client is seen by boinccmd, and the other way round', async () => {
    await client.setMode('run', 'never');
    await waitFor(async () => boinccmdCcStatus((await peer.boinccmd(['--get_cc_status'])).stdout).CPU.mode === 'never', 5000, 'boinccmd to see never');
    await waitFor(async () => (await client.getCcStatus()).taskSuspendReason === 4, 5000, 'suspend reason user request');
    expect(boinccmdCcStatus((await peer.boinccmd(['--get_cc_status'])).stdout).CPU.suspended).toBe('suspended: user request');

    const r = await peer.boinccmd(['--set_run_mode', 'always']);
    expect(r.code).toBe(0);
    const cc = await client.getCcStatus();
    expect(cc.taskMode).toBe('always');
    expect(cc.taskModePerm).toBe('always');
    await client.setMode('run', 'auto');
    expect((await client.getCcStatus()).taskMode).toBe('auto');
  });

  it('a temporary network mode reports its duration and keeps the permanent mode', async () => {
    await client.setMode('network', 'never', 600);
    const cc = await client.getCcStatus();
    expect(cc.networkMode).toBe('never');
    expect(cc.networkModePerm).toBe('auto');
    expect(cc.networkModeDelayS).toBeGreaterThan(590);
    expect(boinccmdCcStatus((await peer.boinccmd(['--get_cc_status'])).stdout).Network.mode).toBe('never');
    await client.setMode('network', 'restore');
    expect((await client.getCcStatus()).networkMode).toBe('auto');
  });

  it('suspends and resumes a real task; boinccmd sees it', async () => {
    // After the run-mode tests the scheduler needs a moment to start a task again.
    let running: Awaited<ReturnType<BoincClient['getResults']>>[number] | undefined;
    await waitFor(async () => {
      running = (await client.getResults()).find((t) => t.state === 'executing');
      return running !== undefined;
    }, 10_000, 'an executing task');
    const task = running;
    if (!task) throw new Error('waitFor returned without an executing task');
    await client.taskOp(task.projectUrl, task.name, 'suspend');
    await waitFor(async () => (await client.getResults()).find((t) => t.name === task.name)?.state === 'suspended', 5000, 'suspended');
    expect(boinccmdTasks((await peer.boinccmd(['--get_tasks'])).stdout).get(task.name)?.['suspended via GUI']).toBe('yes');
    await client.taskOp(task.projectUrl, task.name, 'resume');
    const t = (await client.getResults()).find((x) => x.name === task.name);
    expect(t?.suspendedViaGui).toBe(false);
    expect(boinccmdTasks((await peer.boinccmd(['--get_tasks'])).stdout).get(task.name)?.['suspended via GUI']).toBeUndefined();
    // An op on a task that does not exist is a typed RPC error, and the connection stays usable.
    await expect(client.taskOp(BOINC_PROJECT_URL, 'no_such_task', 'suspend')).rejects.toMatchObject({ code: 'rpc' });
    expect((await client.getCcStatus()).taskMode).toBe('auto');
  });

  it('project no-more-work / allow-more-work round-trips through boinccmd', async () => {
    await client.projectOp(BOINC_PROJECT_URL, 'allowmorework');
    expect((await client.getProjectStatus())[0]?.dontRequestMoreWork).toBe(false);
    expect((await peer.boinccmd(['--get_project_status'])).stdout).toContain("don't request more work: no");
    expect((await peer.boinccmd(['--project', BOINC_PROJECT_URL, 'nomorework'])).code).toBe(0);
    expect((await client.getProjectStatus())[0]?.dontRequestMoreWork).toBe(true);
    await expect(client.projectOp('http://127.0.0.1:9/nope/', 'update')).rejects.toMatchObject({ code: 'rpc', message: 'No such project' });
  });

  it('reads messages, notices, transfers, disk usage, host info and the prefs override', async () => {
    const count = await client.getMessageCount();
    expect(count).toBeGreaterThan(5);
    const msgs = await client.getMessages(count - 5);
    expect(msgs.map((m) => m.seqno)).toEqual([count - 4, count - 3, count - 2, count - 1, count]);
    const all = await client.getMessages(0);
    expect(all.some((m) => m.body.includes('Config: simulate 1 CPUs'))).toBe(true);
    expect(Array.isArray(await client.getNotices())).toBe(true);
    expect(await client.getFileTransfers()).toEqual([]);
    const disk = await client.getDiskUsage();
    expect(disk.allowedBytes).toBe(10 * 1024 ** 3); // disk_max_used_gb 10 in the override
    expect(disk.projects.map((p) => p.url)).toEqual([BOINC_PROJECT_URL]);
    const host = await client.getHostInfo();
    expect(host.ncpus).toBe(1);
    expect(host.memoryBytes).toBeGreaterThan(0);
    const prefs = await client.getGlobalPrefsOverride();
    expect(prefs.suspend_cpu_usage).toBe('0');
    await client.readGlobalPrefsOverride();
  });

  it('one connection serves many requests (no reconnect per call)', async () => {
    const c = new BoincClient({ ...opts(), password: peer.password });
    await c.getCcStatus();
    const before = c.connected;
    const results = await Promise.all(Array.from({ length: 20 }, () => c.getCcStatus()));
    expect(before).toBe(true);
    expect(results.every((r) => r.taskMode === 'auto')).toBe(true);
    c.close();
    expect(c.connected).toBe(false);
    expect((await c.getCcStatus()).taskMode).toBe('auto'); // reconnects on demand
    c.close();
  });

  it('from a remote address every op needs auth, and works with it', async () => {
    const anon = new BoincClient({ ...opts(), localAddress: '127.0.0.2' });
    await expect(anon.getCcStatus()).rejects.toMatchObject({ code: 'unauthorized' });
    anon.close();
    const authed = new BoincClient({ ...opts(), localAddress: '127.0.0.2', password: peer.password });
    expect((await authed.getCcStatus()).taskMode).toBe('auto');
    expect((await authed.getResults()).length).toBe(4);
    authed.close();
    // Locally, read-only ops need no password but control ops do.
    const local = new BoincClient(opts());
    expect((await local.getCcStatus()).taskMode).toBe('auto');
    await expect(local.setMode('run', 'never')).rejects.toMatchObject({ code: 'unauthorized' });
    local.close();
  });

  it('a wrong password is an auth error; boinccmd agrees', async () => {
    const bad = new BoincClient({ ...opts(), password: 'wrong' });
    await expect(bad.getCcStatus()).rejects.toMatchObject({ code: 'auth', message: expect.stringContaining('authorisation failed') });
    bad.close();
    const r = await peer.boinccmd(['--get_cc_status'], { password: 'wrong' });
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toContain('Authorization failure');
  });
});

describe('GUI RPC parser boundary', () => {
  const readers = [readClientState, readCcStatus, readResults, readProjects, readMessages, readNotices, readFileTransfers, readDiskUsage, readGlobalPrefs];
  const sample = `<boinc_gui_rpc_reply>
<client_state>
<project><master_url>http://a/</master_url><project_name>A &amp; B</project_name><user_total_credit>12.5</user_total_credit><suspended_via_gui/></project>
<result><name>r1</name><project_url>http://a/</project_url><state>2</state><active_task><active_task_state>1</active_task_state><fraction_done>0.25</fraction_done></active_task></result>
<result><name>r2</name><state>3</state><ready_to_report/></result>
</client_state>
<msgs><msg><seqno>3</seqno><body><![CDATA[hello <world>]]></body><time>1700000000</time></msg></msgs>
</boinc_gui_rpc_reply>`;

  /** Parses and reads with every reader; the only allowed failure is a BoincError. */
  function throughBoundary(text: string): void {
    let tree: ReturnType<typeof parseReply>;
    try {
      tree = parseReply(text);
    } catch (e) {
      if (!(e instanceof BoincError)) throw e;
      expect(['protocol', 'rpc', 'unauthorized']).toContain(e.code);
      return;
    }
    for (const read of readers) read(tree);
  }

  it('reads a well-formed reply into typed values', () => {
    const tree = parseReply(sample);
    const s = readClientState(tree);
    expect(s.projects[0]).toMatchObject({ name: 'A & B', userCredit: 12.5, suspended: true });
    expect(s.tasks.map((t) => [t.name, t.state, t.active?.fractionDone ?? null])).toEqual([
      ['r1', 'executing', 0.25],
      ['r2', 'error', null],
    ]);
    expect(readMessages(tree)[0]).toMatchObject({ seqno: 3, body: 'hello <world>' });
  });

  it('turns garbage, truncation, DTDs and error replies into typed errors', () => {
    expect(() => parseReply('HTTP/1.1 400 Bad Request\r\n')).toThrow(BoincError);
    expect(() => parseReply(sample.slice(0, 200))).toThrow(/invalid reply/);
    expect(() => parseReply('<!DOCTYPE x [<!ENTITY a "aaaa">]><boinc_gui_rpc_reply>&a;</boinc_gui_rpc_reply>')).toThrow(/DTD/);
    expect(() => parseReply('<boinc_gui_rpc_reply><error>No such project</error></boinc_gui_rpc_reply>')).toThrow(
      expect.objectContaining({ code: 'rpc', message: 'No such project' }),
    );
    expect(() => parseReply('<boinc_gui_rpc_reply><unauthorized/></boinc_gui_rpc_reply>')).toThrow(
      expect.objectContaining({ code: 'unauthorized' }),
    );
  });

  it('never throws past the boundary on random text', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), (s) => throughBoundary(s)), { numRuns: 500 });
  });

  it('never throws past the boundary on truncated or mutated replies', () => {
    fc.assert(
      fc.property(fc.nat(sample.length), fc.string({ maxLength: 20 }), fc.nat(sample.length), (cut, junk, at) => {
        throughBoundary(sample.slice(0, cut));
        throughBoundary(sample.slice(0, at) + junk + sample.slice(at));
      }),
      { numRuns: 1000 },
    );
  });

  it('never throws past the boundary on random well-formed XML of BOINC-like tags', () => {
    const tag = fc.constantFrom('client_state', 'project', 'result', 'active_task', 'msgs', 'msg', 'results', 'cc_status', 'state', 'name', 'seqno', 'task_mode', 'file_transfers', 'file_transfer', 'disk_usage_summary', 'global_preferences', 'constructor', '__proto__', 'toString');
    const { xml } = fc.letrec((tie) => ({
      xml: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 10 }).map((s) => s.replace(/[<&]/g, '')),
        fc.tuple(tag, fc.array(tie('xml'), { maxLength: 4 })).map(([t, kids]) => `<${t}>${kids.join('')}</${t}>`),
        tag.map((t) => `<${t}/>`),
      ),
    }));
    fc.assert(
      fc.property(fc.array(xml, { maxLength: 6 }), (kids) => throughBoundary(`<boinc_gui_rpc_reply>${kids.join('')}</boinc_gui_rpc_reply>`)),
      { numRuns: 500 },
    );
  });
});
