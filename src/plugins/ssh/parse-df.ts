/**
 * Parses POSIX `df -P` / `df -PT` / `df -Pi` output. Columns are split from the right so that
 * mount points with spaces survive; the block size is read from the header ("1024-blocks",
 * "512-blocks") so BSD/POSIX 512-byte output is converted to KiB too.
 */

export interface DfRow {
  filesystem: string;
  /** Only with `df -PT`. */
  fsType?: string;
  mount: string;
  sizeKb: number;
  usedKb: number;
  availKb: number;
  /** As df rounds it (up); null when df prints "-" and nothing can be computed. */
  usePct: number | null;
}

export interface InodeRow {
  filesystem: string;
  mount: string;
  inodes: number;
  inodesUsed: number;
  inodesFree: number;
  inodesUsePct: number | null;
}

export interface DfParse<T> {
  rows: T[];
  /** Lines that were neither the header nor a row (kept for a readable UNKNOWN). */
  unparsed: string[];
}

export class DfParseError extends Error {
  override name = 'DfParseError';
}

const ROW = /^(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/;
const ROW_TYPED = /^(.+?)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+%|-)\s+(\/.*)$/;

function pct(text: string, used: number, free: number): number | null {
  if (text !== '-') return Number(text.slice(0, -1));
  // df's own rule: used / (used + available), rounded up.
  return used + free > 0 ? Math.ceil((used * 100) / (used + free)) : null;
}

function splitLines(text: string): { header: string; body: string[] } {
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  const at = lines.findIndex((l) => /^Filesystem\s/.test(l));
  if (at < 0) throw new DfParseError('no df header line ("Filesystem …") in the output');
  return { header: lines[at] as string, body: lines.slice(at + 1).filter((l) => l.trim() !== '') };
}

/** `df -P` or `df -PT` output → one row per mount (later duplicates of a mount win, as the later mount hides the earlier). */
export function parseDf(text: string): DfParse<DfRow> {
  const { header, body } = splitLines(text);
  const typed = /^Filesystem\s+Type\s/.test(header);
  const blocks = /(\d+)-blocks/.exec(header);
  const blockBytes = blocks ? Number(blocks[1]) : 1024;
  if (!blocks && !/\b1K-blocks\b/i.test(header)) throw new DfParseError(`unexpected df header: ${header.slice(0, 120)}`);
  const toKb = (n: string) => Math.round((Number(n) * blockBytes) / 1024);
  const byMount = new Map<string, DfRow>();
  const unparsed: string[] = [];
  for (const line of body) {
    const m = (typed ? ROW_TYPED : ROW).exec(line);
    if (!m) {
      unparsed.push(line);
      continue;
    }
    const f = m.slice(1) as string[];
    const [filesystem, fsType] = typed ? [f[0] as string, f[1] as string] : [f[0] as string, undefined];
    const [size, used, avail, cap, mount] = (typed ? f.slice(2) : f.slice(1)) as [string, string, string, string, string];
    const row: DfRow = {
      filesystem,
      ...(fsType !== undefined ? { fsType } : {}),
      mount,
      sizeKb: toKb(size),
      usedKb: toKb(used),
      availKb: toKb(avail),
      usePct: pct(cap, Number(used), Number(avail)),
    };
    byMount.delete(mount);
    byMount.set(mount, row);
  }
  return { rows: [...byMount.values()], unparsed };
}

/** `df -Pi` output → inode figures per mount. */
export function parseDfInodes(text: string): DfParse<InodeRow> {
  const { header, body } = splitLines(text);
  if (!/\bInodes\b/.test(header)) throw new DfParseError(`unexpected df -Pi header: ${header.slice(0, 120)}`);
  const byMount = new Map<string, InodeRow>();
  const unparsed: string[] = [];
  for (const line of body) {
    const m = ROW.exec(line);
    if (!m) {
      unparsed.push(line);
      continue;
    }
    const [filesystem, inodes, iused, ifree, ipct, mount] = m.slice(1) as [string, string, string, string, string, string];
    byMount.delete(mount);
    byMount.set(mount, {
      filesystem,
      mount,
      inodes: Number(inodes),
      inodesUsed: Number(iused),
      inodesFree: Number(ifree),
      inodesUsePct: Number(inodes) === 0 ? null : pct(ipct, Number(iused), Number(ifree)),
    });
  }
  return { rows: [...byMount.values()], unparsed };
}
