/** Readers for get_state, get_cc_status, get_results, get_project_status and get_host_info replies. */
import { taskState } from './task-state.js';
import type {
  BoincModeState,
  BoincProject,
  BoincTask,
  BoincVersion,
  CcStatus,
  ClientState,
  HostInfo,
} from './types.js';
import { child, epoch, flag, list, num, str, type XmlNode } from './xml.js';

const MODES: Record<number, BoincModeState> = { 1: 'always', 2: 'auto', 3: 'never' };
const mode = (n: XmlNode, k: string): BoincModeState => MODES[num(n, k, 0)] ?? 'unknown';

export function readCcStatus(reply: XmlNode): CcStatus {
  const n = child(reply, 'cc_status');
  return {
    networkStatus: num(n, 'network_status'),
    taskSuspendReason: num(n, 'task_suspend_reason'),
    taskMode: mode(n, 'task_mode'),
    taskModePerm: mode(n, 'task_mode_perm'),
    taskModeDelayS: num(n, 'task_mode_delay'),
    gpuSuspendReason: num(n, 'gpu_suspend_reason'),
    gpuMode: mode(n, 'gpu_mode'),
    gpuModePerm: mode(n, 'gpu_mode_perm'),
    gpuModeDelayS: num(n, 'gpu_mode_delay'),
    networkSuspendReason: num(n, 'network_suspend_reason'),
    networkMode: mode(n, 'network_mode'),
    networkModePerm: mode(n, 'network_mode_perm'),
    networkModeDelayS: num(n, 'network_mode_delay'),
    disallowAttach: flag(n, 'disallow_attach'),
    simpleGuiOnly: flag(n, 'simple_gui_only'),
  };
}

export function readProject(n: XmlNode): BoincProject {
  return {
    url: str(n, 'master_url'),
    name: str(n, 'project_name'),
    userName: str(n, 'user_name'),
    teamName: str(n, 'team_name'),
    userCredit: num(n, 'user_total_credit'),
    userExpavgCredit: num(n, 'user_expavg_credit'),
    hostCredit: num(n, 'host_total_credit'),
    hostExpavgCredit: num(n, 'host_expavg_credit'),
    hostId: num(n, 'hostid'),
    resourceShare: num(n, 'resource_share'),
    suspended: flag(n, 'suspended_via_gui'),
    dontRequestMoreWork: flag(n, 'dont_request_more_work'),
    detachWhenDone: flag(n, 'detach_when_done'),
    ended: flag(n, 'ended'),
    schedRpcPending: num(n, 'sched_rpc_pending'),
    nrpcFailures: num(n, 'nrpc_failures'),
    masterFetchFailures: num(n, 'master_fetch_failures'),
    diskUsageBytes: num(n, 'disk_usage'),
  };
}

export function readTask(n: XmlNode): BoincTask {
  const a = 'active_task' in n ? child(n, 'active_task') : null;
  const fields = {
    name: str(n, 'name'),
    wuName: str(n, 'wu_name'),
    projectUrl: str(n, 'project_url'),
    platform: str(n, 'platform'),
    versionNum: num(n, 'version_num'),
    resultState: num(n, 'state'),
    exitStatus: num(n, 'exit_status'),
    readyToReport: flag(n, 'ready_to_report'),
    gotServerAck: flag(n, 'got_server_ack'),
    suspendedViaGui: flag(n, 'suspended_via_gui'),
    projectSuspendedViaGui: flag(n, 'project_suspended_via_gui'),
    reportDeadline: epoch(n, 'report_deadline'),
    receivedTime: epoch(n, 'received_time'),
    completedTime: epoch(n, 'completed_time'),
    estimatedCpuTimeRemainingS: num(n, 'estimated_cpu_time_remaining'),
    finalCpuTimeS: num(n, 'final_cpu_time'),
    finalElapsedTimeS: num(n, 'final_elapsed_time'),
    active: a && {
      activeTaskState: num(a, 'active_task_state'),
      schedulerState: num(a, 'scheduler_state'),
      pid: num(a, 'pid'),
      slot: num(a, 'slot', -1),
      fractionDone: num(a, 'fraction_done'),
      elapsedTimeS: num(a, 'elapsed_time'),
      currentCpuTimeS: num(a, 'current_cpu_time'),
      workingSetBytes: num(a, 'working_set_size_smoothed'),
    },
  };
  return { ...fields, state: taskState(fields) };
}

export function readResults(reply: XmlNode): BoincTask[] {
  return list(child(reply, 'results'), 'result').map(readTask);
}

export function readProjects(reply: XmlNode): BoincProject[] {
  return list(child(reply, 'projects'), 'project').map(readProject);
}

export function readHostInfoNode(n: XmlNode): HostInfo {
  return {
    domainName: str(n, 'domain_name'),
    ipAddr: str(n, 'ip_addr'),
    hostCpid: str(n, 'host_cpid'),
    ncpus: num(n, 'p_ncpus'),
    cpuVendor: str(n, 'p_vendor'),
    cpuModel: str(n, 'p_model'),
    memoryBytes: num(n, 'm_nbytes'),
    swapBytes: num(n, 'm_swap'),
    diskTotalBytes: num(n, 'd_total'),
    diskFreeBytes: num(n, 'd_free'),
    osName: str(n, 'os_name'),
    osVersion: str(n, 'os_version'),
  };
}

export function readHostInfo(reply: XmlNode): HostInfo {
  return readHostInfoNode(child(reply, 'host_info'));
}

export function readVersion(reply: XmlNode): BoincVersion {
  const n = child(reply, 'server_version');
  return { major: num(n, 'major'), minor: num(n, 'minor'), release: num(n, 'release') };
}

export function readClientState(reply: XmlNode): ClientState {
  const n = child(reply, 'client_state');
  return {
    hostInfo: readHostInfoNode(child(n, 'host_info')),
    projects: list(n, 'project').map(readProject),
    apps: list(n, 'app').map((a) => ({ name: str(a, 'name'), userFriendlyName: str(a, 'user_friendly_name') })),
    workunits: list(n, 'workunit').map((w) => ({
      name: str(w, 'name'),
      appName: str(w, 'app_name'),
      versionNum: num(w, 'version_num'),
    })),
    tasks: list(n, 'result').map(readTask),
    platform: str(n, 'platform_name'),
    version: {
      major: num(n, 'core_client_major_version'),
      minor: num(n, 'core_client_minor_version'),
      release: num(n, 'core_client_release'),
    },
    executingAsDaemon: flag(n, 'executing_as_daemon'),
  };
}
