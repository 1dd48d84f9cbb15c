/** Readers for messages, notices, file transfers, disk usage and the global prefs override. */
import type { BoincMessage, BoincNotice, DiskUsage, FileTransfer, GlobalPrefs } from './types.js';
import { child, epoch, flag, isNode, list, num, str, text1, type XmlNode } from './xml.js';

export function readMessages(reply: XmlNode): BoincMessage[] {
  return list(child(reply, 'msgs'), 'msg').map((m) => ({
    seqno: num(m, 'seqno'),
    project: str(m, 'project'),
    priority: num(m, 'pri'),
    time: epoch(m, 'time'),
    body: str(m, 'body').trim(),
  }));
}

export function readMessageCount(reply: XmlNode): number {
  return num(reply, 'seqno');
}

export function readNotices(reply: XmlNode): BoincNotice[] {
  return list(child(reply, 'notices'), 'notice').map((m) => ({
    seqno: num(m, 'seqno'),
    title: str(m, 'title'),
    description: str(m, 'description').trim(),
    createTime: epoch(m, 'create_time'),
    arrivalTime: epoch(m, 'arrival_time'),
    isPrivate: flag(m, 'is_private'),
    projectName: str(m, 'project_name'),
    category: str(m, 'category'),
    link: str(m, 'link'),
  }));
}

export function readFileTransfers(reply: XmlNode): FileTransfer[] {
  return list(child(reply, 'file_transfers'), 'file_transfer').map((f) => {
    const x = child(f, 'file_xfer');
    const p = child(f, 'persistent_file_xfer');
    return {
      name: str(f, 'name'),
      projectUrl: str(f, 'project_url'),
      projectName: str(f, 'project_name'),
      nbytes: num(f, 'nbytes'),
      isUpload: flag(p, 'is_upload') || flag(f, 'is_upload'),
      bytesXferred: num(x, 'bytes_xferred'),
      xferSpeed: num(x, 'xfer_speed'),
      numRetries: num(p, 'num_retries'),
      firstRequestTime: epoch(p, 'first_request_time'),
      nextRequestTime: epoch(p, 'next_request_time'),
      status: num(f, 'status'),
      active: 'file_xfer' in f,
    };
  });
}

export function readDiskUsage(reply: XmlNode): DiskUsage {
  const n = child(reply, 'disk_usage_summary');
  return {
    totalBytes: num(n, 'd_total'),
    freeBytes: num(n, 'd_free'),
    boincBytes: num(n, 'd_boinc'),
    allowedBytes: num(n, 'd_allowed'),
    projects: list(n, 'project').map((p) => ({ url: str(p, 'master_url'), diskUsageBytes: num(p, 'disk_usage') })),
  };
}

/** Flat view of <global_preferences>: element name → text (nested sections such as day_prefs are skipped). */
export function readGlobalPrefs(reply: XmlNode): GlobalPrefs {
  const n = child(reply, 'global_preferences');
  const out: GlobalPrefs = {};
  for (const [k, v] of Object.entries(n)) if (!isNode(v) && !Array.isArray(v)) out[k] = text1(v);
  return out;
}
