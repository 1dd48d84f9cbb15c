/**
 * A real BOINC client for tests: own data dir under a temp dir, own GUI RPC port and password,
 * all of BOINC's own HTTP sent to a dead proxy on 127.0.0.1:9, and one project seeded offline
 * (client_state.xml written before the first start) with a task in each state:
 * executing, waiting (runnable, no free CPU), ready to report, and errored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CommandResult, runCommand } from '../../src/core/command.js';
import { type Daemon, findBinary, freePort, startDaemon, tempDir, userIds, waitFor } from '../helpers/peers.js';

export const BOINC_PROJECT_URL = 'http://127.0.0.1:9/corraltest/';
export const BOINC_PROJECT_NAME = 'Corral Test Project';
/** BOINC's directory name for the project URL above (escape_project_url). */
const PROJECT_DIR = '127.0.0.1_9_corraltest';

export const BOINC_TASKS = {
  running: 'corral_run_0',
  waiting: 'corral_wait_0',
  reported: 'corral_done_0',
  errored: 'corral_err_0',
} as const;

export interface BoincPeer {
  port: number;
  password: string;
  dataDir: string;
  daemon: Daemon;
  /** Runs boinccmd against this client from a directory without gui_rpc_auth.cfg; password via argv is test-only. */
  boinccmd(args: string[], opts?: { password?: string; host?: string }): Promise<CommandResult>;
  stop(): Promise<void>;
}

// The app: a shell script that idles while its parent (the client) lives.
const SCRIPT = '#!/bin/sh\nwhile kill -0 $PPID 2>/dev/null; do sleep 1; done\n';

function clientState(now: number, nbytes: number, md5: string): string {
  const deadline = now + 30 * 86400;
  const wu = (name: string) => `<workunit>
    <name>${name}</name>
    <app_name>idle</app_name>
    <version_num>100</version_num>
    <rsc_fpops_est>1e15</rsc_fpops_est>
    <rsc_fpops_bound>1e18</rsc_fpops_bound>
    <rsc_memory_bound>100000000</rsc_memory_bound>
    <rsc_disk_bound>1000000000</rsc_disk_bound>
</workunit>`;
  const result = (name: string, wuName: string, extra: string) => `<result>
    <name>${name}</name>
    <wu_name>${wuName}</wu_name>
    <platform>x86_64-pc-linux-gnu</platform>
    <version_num>100</version_num>
    <received_time>${now - 3600}</received_time>
    <report_deadline>${deadline}</report_deadline>
    ${extra}
</result>`;
  return `<client_state>
<project>
    <master_url>${BOINC_PROJECT_URL}</master_url>
    <project_name>${BOINC_PROJECT_NAME}</project_name>
    <user_name>tester</user_name>
    <team_name></team_name>
    <user_total_credit>1234.500000</user_total_credit>
    <user_expavg_credit>12.000000</user_expavg_credit>
    <host_total_credit>321.250000</host_total_credit>
    <host_expavg_credit>3.000000</host_expavg_credit>
    <hostid>7</hostid>
    <rpc_seqno>1</rpc_seqno>
    <dont_request_more_work/>
</project>
<app>
    <name>idle</name>
    <user_friendly_name>Idle loop</user_friendly_name>
</app>
<file_info>
    <name>idle_1.00.sh</name>
    <nbytes>${nbytes}.000000</nbytes>
    <max_nbytes>0.000000</max_nbytes>
    <md5_cksum>${md5}</md5_cksum>
    <status>1</status>
    <executable/>
</file_info>
<app_version>
    <app_name>idle</app_name>
    <version_num>100</version_num>
    <platform>x86_64-pc-linux-gnu</platform>
    <avg_ncpus>1.000000</avg_ncpus>
    <flops>1000000000.000000</flops>
    <file_ref>
        <file_name>idle_1.00.sh</file_name>
        <main_program/>
    </file_ref>
</app_version>
${wu('corral_run')}
${wu('corral_wait')}
${wu('corral_done')}
${wu('corral_err')}
${result(BOINC_TASKS.running, 'corral_run', '<final_cpu_time>0</final_cpu_time>\n    <state>2</state>')}
${result(BOINC_TASKS.waiting, 'corral_wait', '<final_cpu_time>0</final_cpu_time>\n    <state>2</state>')}
${result(
  BOINC_TASKS.reported,
  'corral_done',
  `<final_cpu_time>120.5</final_cpu_time>\n    <final_elapsed_time>130.0</final_elapsed_time>\n    <exit_status>0</exit_status>\n    <state>5</state>\n    <ready_to_report/>\n    <completed_time>${now - 60}</completed_time>`,
)}
${result(
  BOINC_TASKS.errored,
  'corral_err',
  `<final_cpu_time>3.0</final_cpu_time>\n    <final_elapsed_time>4.0</final_elapsed_time>\n    <exit_status>1</exit_status>\n    <state>3</state>\n    <ready_to_report/>\n    <completed_time>${now - 30}</completed_time>`,
)}
</client_state>
`;
}

const CC_CONFIG = `<cc_config>
  <options>
    <proxy_info>
      <use_http_proxy/>
      <http_server_name>127.0.0.1</http_server_name>
      <http_server_port>9</http_server_port>
    </proxy_info>
    <network_test_url>http://127.0.0.1:9/</network_test_url>
    <no_info_fetch>1</no_info_fetch>
    <ncpus>1</ncpus>
    <no_gpus>1</no_gpus>
    <skip_cpu_benchmarks>1</skip_cpu_benchmarks>
  </options>
</cc_config>
`;

const PREFS_OVERRIDE = `<global_preferences>
  <suspend_cpu_usage>0</suspend_cpu_usage>
  <run_if_user_active>1</run_if_user_active>
  <run_gpu_if_user_active>1</run_gpu_if_user_active>
  <max_ncpus_pct>100</max_ncpus_pct>
  <cpu_usage_limit>100</cpu_usage_limit>
  <disk_max_used_gb>10</disk_max_used_gb>
  <disk_max_used_pct>90</disk_max_used_pct>
  <disk_min_free_gb>0.1</disk_min_free_gb>
</global_preferences>
`;

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
  if (statSync(path).isDirectory()) for (const e of readdirSync(path)) chownTree(join(path, e), uid, gid);
}

/**
 * Starts the client and waits until its GUI RPC answers and the running task executes.
 * `allowRemote` adds --allow_remote_gui_rpc, so a connection from 127.0.0.2 counts as remote.
 */
export async function startBoinc(opts: { allowRemote?: boolean } = {}): Promise<BoincPeer> {
  const boinc = findBinary('boinc');
  const boinccmdBin = findBinary('boinccmd');
  const ids = userIds('boinc');
  if (!boinc || !boinccmdBin || !ids) throw new Error('boinc, boinccmd and user boinc are needed');
  const tmp = tempDir('corral-boinc-');
  chmodSync(tmp.path, 0o755);
  const dataDir = join(tmp.path, 'data');
  const elsewhere = join(tmp.path, 'cwd'); // boinccmd reads gui_rpc_auth.cfg from its cwd: run it elsewhere
  mkdirSync(elsewhere);
  mkdirSync(join(dataDir, 'projects', PROJECT_DIR), { recursive: true });
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  writeFileSync(join(dataDir, 'gui_rpc_auth.cfg'), `${password}\n`, { mode: 0o640 });
  const scriptPath = join(dataDir, 'projects', PROJECT_DIR, 'idle_1.00.sh');
  writeFileSync(scriptPath, SCRIPT, { mode: 0o755 });
  const md5 = createHash('md5').update(SCRIPT).digest('hex');
  writeFileSync(
    join(dataDir, 'client_state.xml'),
    clientState(Math.floor(Date.now() / 1000), Buffer.byteLength(SCRIPT), md5),
  );
  writeFileSync(
    join(dataDir, `account_${PROJECT_DIR}.xml`),
    `<account>\n<master_url>${BOINC_PROJECT_URL}</master_url>\n<authenticator>0123456789abcdef</authenticator>\n<project_name>${BOINC_PROJECT_NAME}</project_name>\n</account>\n`,
  );
  writeFileSync(join(dataDir, 'cc_config.xml'), CC_CONFIG);
  writeFileSync(join(dataDir, 'global_prefs_override.xml'), PREFS_OVERRIDE);
  chownTree(dataDir, ids.uid, ids.gid);

  const args = ['--dir', dataDir, '--gui_rpc_port', String(port), '--no_info_fetch', '--allow_multiple_clients'];
  if (opts.allowRemote) args.push('--allow_remote_gui_rpc');
  const daemon = startDaemon(boinc, args, {
    uid: ids.uid,
    gid: ids.gid,
    cwd: dataDir,
    env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', HOME: dataDir, LANG: 'C' },
  });

  const boinccmd = (cmdArgs: string[], o: { password?: string; host?: string } = {}) =>
    runCommand(
      boinccmdBin,
      ['--host', `${o.host ?? '127.0.0.1'}:${port}`, '--passwd', o.password ?? password, ...cmdArgs],
      { timeoutMs: 10_000, cwd: elsewhere },
    );
  const stop = async () => {
    await daemon.stop('SIGTERM');
    tmp.remove();
  };
  try {
    await waitFor(
      async () => {
        if (daemon.child.exitCode !== null) throw new Error(`boinc exited: ${daemon.output()}`);
        const r = await boinccmd(['--get_tasks']);
        return r.code === 0 && /active_task_state: EXECUTING/.test(r.stdout);
      },
      20_000,
      'boinc to run its seeded task',
    );
  } catch (e) {
    const out = daemon.output();
    await stop();
    throw new Error(`${(e as Error).message}\n${out.slice(-3000)}`);
  }
  return { port, password, dataDir, daemon, boinccmd, stop };
}
