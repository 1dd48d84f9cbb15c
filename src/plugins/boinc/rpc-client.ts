/**
 * Typed GUI RPC operations (what boinccmd offers) over one reusable connection.
 * The connection is opened on first use and reopened after it died; a request that fails
 * because a kept-alive socket was closed under us is retried once on a fresh connection.
 */
import { BoincError } from './errors.js';
import { readFileTransfers, readDiskUsage, readGlobalPrefs, readMessageCount, readMessages, readNotices } from './parse-misc.js';
import {
  readCcStatus,
  readClientState,
  readHostInfo,
  readProjects,
  readResults,
  readVersion,
} from './parse-state.js';
import { BoincConnection, type BoincConnectionOptions } from './rpc-connection.js';
import type {
  BoincMessage,
  BoincMode,
  BoincNotice,
  BoincProject,
  BoincTask,
  BoincVersion,
  CcStatus,
  ClientState,
  DiskUsage,
  FileTransfer,
  GlobalPrefs,
  HostInfo,
} from './types.js';
import { escapeXml, type XmlNode } from './xml.js';

export const PROJECT_OPS = [
  'update',
  'suspend',
  'resume',
  'nomorework',
  'allowmorework',
  'detach',
  'reset',
  'detach_when_done',
  'dont_detach_when_done',
] as const;
export type ProjectOp = (typeof PROJECT_OPS)[number];

export const TASK_OPS = ['suspend', 'resume', 'abort'] as const;
export type TaskOp = (typeof TASK_OPS)[number];

export const FILE_TRANSFER_OPS = ['retry', 'abort'] as const;
export type FileTransferOp = (typeof FILE_TRANSFER_OPS)[number];

export type ModeTarget = 'run' | 'gpu' | 'network';

const MODE_TAG: Record<ModeTarget, string> = { run: 'set_run_mode', gpu: 'set_gpu_mode', network: 'set_network_mode' };
const TASK_TAG: Record<TaskOp, string> = { suspend: 'suspend_result', resume: 'resume_result', abort: 'abort_result' };
const XFER_TAG: Record<FileTransferOp, string> = { retry: 'retry_file_transfer', abort: 'abort_file_transfer' };

/** The version we announce in exchange_versions (the protocol level this client was written against). */
const OUR_VERSION = { major: 7, minor: 20, release: 0 };

export class BoincClient {
  private conn: BoincConnection | null = null;
  private version: BoincVersion | null = null;
  private opening: Promise<BoincConnection> | null = null;

  constructor(readonly options: BoincConnectionOptions) {}

  /** Runs one request body and returns the reply children; see the class comment for the retry rule. */
  async call(body: string, signal?: AbortSignal): Promise<XmlNode> {
    const reused = this.conn?.alive === true;
    const conn = await this.connection(signal);
    try {
      return await conn.call(body, signal);
    } catch (e) {
      if (reused && e instanceof BoincError && e.code === 'closed') {
        this.conn = null;
        return (await this.connection(signal)).call(body, signal);
      }
      throw e;
    }
  }

  // Concurrent callers share one connect attempt: a dead host costs one connect timeout, not N.
  private connection(signal?: AbortSignal): Promise<BoincConnection> {
    if (this.conn?.alive) return Promise.resolve(this.conn);
    this.opening ??= this.open(signal).finally(() => {
      this.opening = null;
    });
    return this.opening;
  }

  private async open(signal?: AbortSignal): Promise<BoincConnection> {
    this.conn?.close();
    const conn = new BoincConnection(this.options);
    try {
      await conn.open(signal);
      this.version = readVersion(
        await conn.call(
          `<exchange_versions>\n<major>${OUR_VERSION.major}</major>\n<minor>${OUR_VERSION.minor}</minor>\n<release>${OUR_VERSION.release}</release>\n</exchange_versions>`,
          signal,
        ),
      );
    } catch (e) {
      conn.close();
      throw e;
    }
    this.conn = conn;
    return conn;
  }

  get connected(): boolean {
    return this.conn?.alive === true;
  }

  close(): void {
    this.conn?.close();
    this.conn = null;
  }

  /** The client's version from exchange_versions (connects if needed). */
  async getVersion(signal?: AbortSignal): Promise<BoincVersion> {
    await this.connection(signal);
    return this.version ?? { major: 0, minor: 0, release: 0 };
  }

  async getState(signal?: AbortSignal): Promise<ClientState> {
    return readClientState(await this.call('<get_state/>', signal));
  }

  async getCcStatus(signal?: AbortSignal): Promise<CcStatus> {
    return readCcStatus(await this.call('<get_cc_status/>', signal));
  }

  async getResults(activeOnly = false, signal?: AbortSignal): Promise<BoincTask[]> {
    return readResults(
      await this.call(`<get_results>\n<active_only>${activeOnly ? 1 : 0}</active_only>\n</get_results>`, signal),
    );
  }

  async getProjectStatus(signal?: AbortSignal): Promise<BoincProject[]> {
    return readProjects(await this.call('<get_project_status/>', signal));
  }

  async getMessageCount(signal?: AbortSignal): Promise<number> {
    return readMessageCount(await this.call('<get_message_count/>', signal));
  }

  /** Messages with seqno greater than `afterSeqno`. */
  async getMessages(afterSeqno = 0, signal?: AbortSignal): Promise<BoincMessage[]> {
    return readMessages(await this.call(`<get_messages>\n<seqno>${int(afterSeqno)}</seqno>\n</get_messages>`, signal));
  }

  async getNotices(afterSeqno = 0, signal?: AbortSignal): Promise<BoincNotice[]> {
    return readNotices(await this.call(`<get_notices>\n<seqno>${int(afterSeqno)}</seqno>\n</get_notices>`, signal));
  }

  async getFileTransfers(signal?: AbortSignal): Promise<FileTransfer[]> {
    return readFileTransfers(await this.call('<get_file_transfers/>', signal));
  }

  async getDiskUsage(signal?: AbortSignal): Promise<DiskUsage> {
    return readDiskUsage(await this.call('<get_disk_usage/>', signal));
  }

  async getHostInfo(signal?: AbortSignal): Promise<HostInfo> {
    return readHostInfo(await this.call('<get_host_info/>', signal));
  }

  /** The contents of global_prefs_override.xml as the client holds it. */
  async getGlobalPrefsOverride(signal?: AbortSignal): Promise<GlobalPrefs> {
    return readGlobalPrefs(await this.call('<get_global_prefs_override/>', signal));
  }

  /** Tells the client to re-read global_prefs_override.xml (boinccmd --read_global_prefs_override). */
  async readGlobalPrefsOverride(signal?: AbortSignal): Promise<void> {
    await this.call('<read_global_prefs_override/>', signal);
  }

  async readCcConfig(signal?: AbortSignal): Promise<void> {
    await this.call('<read_cc_config/>', signal);
  }

  /** Sets the run, GPU or network mode; durationS > 0 makes it temporary (then it reverts). */
  async setMode(what: ModeTarget, mode: BoincMode, durationS = 0, signal?: AbortSignal): Promise<void> {
    const tag = MODE_TAG[what];
    await this.call(`<${tag}>\n<${mode}/>\n<duration>${nonNegative(durationS)}</duration>\n</${tag}>`, signal);
  }

  async projectOp(url: string, op: ProjectOp, signal?: AbortSignal): Promise<void> {
    const tag = `project_${op}`;
    await this.call(`<${tag}>\n<project_url>${escapeXml(url)}</project_url>\n</${tag}>`, signal);
  }

  async taskOp(projectUrl: string, name: string, op: TaskOp, signal?: AbortSignal): Promise<void> {
    const tag = TASK_TAG[op];
    await this.call(
      `<${tag}>\n<project_url>${escapeXml(projectUrl)}</project_url>\n<name>${escapeXml(name)}</name>\n</${tag}>`,
      signal,
    );
  }

  async fileTransferOp(projectUrl: string, filename: string, op: FileTransferOp, signal?: AbortSignal): Promise<void> {
    const tag = XFER_TAG[op];
    await this.call(
      `<${tag}>\n<project_url>${escapeXml(projectUrl)}</project_url>\n<filename>${escapeXml(filename)}</filename>\n</${tag}>`,
      signal,
    );
  }

  /** Asks the client to exit. */
  async quit(signal?: AbortSignal): Promise<void> {
    await this.call('<quit/>', signal);
    this.close();
  }
}

function int(n: number): number {
  return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
}

function nonNegative(n: number): number {
  return Number.isFinite(n) && n > 0 ? n : 0;
}
