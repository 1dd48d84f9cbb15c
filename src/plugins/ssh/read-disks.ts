/** Reads mounts over an SSH session: `df -PT` (types, GNU) falling back to `df -P`, plus `df -Pi` for inodes. */
import { DfParseError, type DfRow, type InodeRow, parseDf, parseDfInodes } from './parse-df.js';
import { REMOTE_COMMANDS, type ExecResult, type SshSession, formatSeconds } from './session.js';

export interface MountFigures extends DfRow {
  inodes?: Omit<InodeRow, 'filesystem' | 'mount'>;
}

export type DisksRead =
  | { ok: true; mounts: MountFigures[] }
  | { ok: false; status: 'CRIT' | 'UNKNOWN'; summary: string };

function firstLine(r: ExecResult): string {
  return (r.stderr.trim().split('\n')[0] ?? '').slice(0, 200) || `exit code ${r.code}`;
}

const hung = (cmd: string, ms: number): DisksRead => ({
  ok: false,
  status: 'CRIT',
  summary: `${cmd} did not finish within ${formatSeconds(ms)} (hung network mount?)`,
});

export async function readDisks(
  session: SshSession,
  deadline: number,
  opts: { includeInodes: boolean; signal?: AbortSignal },
): Promise<DisksRead> {
  const left = () => Math.max(1, deadline - performance.now());
  const [typed, inodeRun] = await Promise.all([
    session.exec(REMOTE_COMMANDS.dfTypes, left(), opts.signal),
    opts.includeInodes ? session.exec(REMOTE_COMMANDS.dfInodes, left(), opts.signal) : Promise.resolve(null),
  ]);
  if (typed.timedOut) return hung(REMOTE_COMMANDS.dfTypes, typed.durationMs);
  let blocks = typed;
  let cmd: string = REMOTE_COMMANDS.dfTypes;
  // df exits 1 when one mount is unreadable but still prints the rest; only fall back on no output.
  if (!/^Filesystem\s/m.test(typed.stdout)) {
    cmd = REMOTE_COMMANDS.df;
    blocks = await session.exec(REMOTE_COMMANDS.df, left(), opts.signal);
    if (blocks.timedOut) return hung(cmd, blocks.durationMs);
    if (blocks.code !== 0 && !blocks.stdout.trim()) {
      return { ok: false, status: 'UNKNOWN', summary: `${cmd} failed: ${firstLine(blocks)}` };
    }
  }
  try {
    const parsed = parseDf(blocks.stdout);
    if (parsed.rows.length === 0) {
      const why = parsed.unparsed[0] ? `unexpected line ${JSON.stringify(parsed.unparsed[0].slice(0, 80))}` : firstLine(blocks);
      return { ok: false, status: 'UNKNOWN', summary: `${cmd} listed no mounts: ${why}` };
    }
    const inodes = new Map<string, InodeRow>();
    if (inodeRun && !inodeRun.timedOut) {
      // Inodes are a bonus (busybox and some filesystems have none): unreadable means absent, not failed.
      try {
        for (const r of parseDfInodes(inodeRun.stdout).rows) inodes.set(r.mount, r);
      } catch {}
    }
    return {
      ok: true,
      mounts: parsed.rows.map((row) => {
        const i = inodes.get(row.mount);
        return i
          ? { ...row, inodes: { inodes: i.inodes, inodesUsed: i.inodesUsed, inodesFree: i.inodesFree, inodesUsePct: i.inodesUsePct } }
          : row;
      }),
    };
  } catch (e) {
    if (e instanceof DfParseError) return { ok: false, status: 'UNKNOWN', summary: `unexpected ${cmd} output: ${e.message}` };
    throw e;
  }
}
