/** Typed GUI RPC results (BOINC 7.x field names, camel-cased; times as Dates, durations in seconds). */

export type BoincMode = 'always' | 'auto' | 'never' | 'restore';
/** A mode as the client reports it ('restore' is only a request). */
export type BoincModeState = 'always' | 'auto' | 'never' | 'unknown';

export interface BoincVersion {
  major: number;
  minor: number;
  release: number;
}

export interface CcStatus {
  networkStatus: number;
  /** Bitmask of BOINC suspend reasons; 0 when computing is allowed. */
  taskSuspendReason: number;
  taskMode: BoincModeState;
  taskModePerm: BoincModeState;
  /** Seconds until a temporary run mode reverts to the permanent one (0 = not temporary). */
  taskModeDelayS: number;
  gpuSuspendReason: number;
  gpuMode: BoincModeState;
  gpuModePerm: BoincModeState;
  gpuModeDelayS: number;
  networkSuspendReason: number;
  networkMode: BoincModeState;
  networkModePerm: BoincModeState;
  networkModeDelayS: number;
  disallowAttach: boolean;
  simpleGuiOnly: boolean;
}

export interface BoincProject {
  url: string;
  name: string;
  userName: string;
  teamName: string;
  userCredit: number;
  userExpavgCredit: number;
  hostCredit: number;
  hostExpavgCredit: number;
  hostId: number;
  resourceShare: number;
  suspended: boolean;
  dontRequestMoreWork: boolean;
  detachWhenDone: boolean;
  ended: boolean;
  schedRpcPending: number;
  nrpcFailures: number;
  masterFetchFailures: number;
  diskUsageBytes: number;
}

export type TaskState =
  | 'downloading'
  | 'waiting'
  | 'executing'
  | 'suspended'
  | 'uploading'
  | 'ready_to_report'
  | 'reported'
  | 'error'
  | 'aborted';

export interface BoincTask {
  name: string;
  wuName: string;
  projectUrl: string;
  platform: string;
  versionNum: number;
  /** BOINC's RESULT state: 0 new … 2 downloaded, 3 compute error, 4 uploading, 5 uploaded, 6 aborted, 7 upload failed. */
  resultState: number;
  /** A state a person reads, derived from the result state, the active task and the flags. */
  state: TaskState;
  exitStatus: number;
  readyToReport: boolean;
  gotServerAck: boolean;
  suspendedViaGui: boolean;
  projectSuspendedViaGui: boolean;
  reportDeadline: Date | null;
  receivedTime: Date | null;
  completedTime: Date | null;
  estimatedCpuTimeRemainingS: number;
  finalCpuTimeS: number;
  finalElapsedTimeS: number;
  active: null | {
    /** 0 uninitialized, 1 executing, 9 suspended, 5 abort pending … */
    activeTaskState: number;
    schedulerState: number;
    pid: number;
    slot: number;
    fractionDone: number;
    elapsedTimeS: number;
    currentCpuTimeS: number;
    workingSetBytes: number;
  };
}

export interface BoincApp {
  name: string;
  userFriendlyName: string;
}

export interface BoincWorkunit {
  name: string;
  appName: string;
  versionNum: number;
}

export interface HostInfo {
  domainName: string;
  ipAddr: string;
  hostCpid: string;
  ncpus: number;
  cpuVendor: string;
  cpuModel: string;
  memoryBytes: number;
  swapBytes: number;
  diskTotalBytes: number;
  diskFreeBytes: number;
  osName: string;
  osVersion: string;
}

export interface ClientState {
  hostInfo: HostInfo;
  projects: BoincProject[];
  apps: BoincApp[];
  workunits: BoincWorkunit[];
  tasks: BoincTask[];
  platform: string;
  version: BoincVersion;
  executingAsDaemon: boolean;
}

export interface BoincMessage {
  seqno: number;
  project: string;
  /** 1 info, 2 user alert, 3 internal error. */
  priority: number;
  time: Date | null;
  body: string;
}

export interface BoincNotice {
  seqno: number;
  title: string;
  description: string;
  createTime: Date | null;
  arrivalTime: Date | null;
  isPrivate: boolean;
  projectName: string;
  category: string;
  link: string;
}

export interface FileTransfer {
  name: string;
  projectUrl: string;
  projectName: string;
  nbytes: number;
  isUpload: boolean;
  bytesXferred: number;
  xferSpeed: number;
  numRetries: number;
  firstRequestTime: Date | null;
  nextRequestTime: Date | null;
  status: number;
  active: boolean;
}

export interface DiskUsage {
  totalBytes: number;
  freeBytes: number;
  boincBytes: number;
  allowedBytes: number;
  projects: Array<{ url: string; diskUsageBytes: number }>;
}

/** The global preferences override, as plain string values keyed by element name. */
export type GlobalPrefs = Record<string, string>;
