/** `df`: space and inode usage per mount over the shared SSH connection, with per-mount thresholds. */
import { z } from 'zod';
import type { CheckKind, CheckStatus } from '../../core/plugin.js';
import { connectTarget, notMeasured } from './connect-target.js';
import type { Measured } from './per-target.js';
import { perTarget } from './per-target.js';
import { type MountFigures, readDisks } from './read-disks.js';
import type { SshSessionPool } from './session-pool.js';

const pct = z.number().min(0).max(100);

const mountRule = z.object({
  /** Mount point, exactly as df prints it ("/", "/tmp", "/mnt/my disk"). */
  path: z.string().startsWith('/').max(4096),
  warnPct: pct.optional(),
  critPct: pct.optional(),
  inodeWarnPct: pct.optional(),
  inodeCritPct: pct.optional(),
});

export const dfCheckParams = z
  .object({
    warnPct: pct.default(85),
    critPct: pct.default(95),
    /** Inode thresholds; default to warnPct/critPct. */
    inodeWarnPct: pct.optional(),
    inodeCritPct: pct.optional(),
    /** Per-mount overrides; a listed mount that is missing is CRIT "not mounted". */
    mounts: z.array(mountRule).default([]),
    /** Judge only the listed mounts. */
    onlyListed: z.boolean().default(false),
    includeInodes: z.boolean().default(true),
    /** Filesystem types that are always full or meaningless to watch (listed mounts are never ignored). */
    ignoreFsTypes: z.array(z.string().max(64)).default(['devtmpfs', 'squashfs', 'iso9660']),
    ignoreMounts: z.array(z.string().max(4096)).default([]),
  })
  .refine((p) => p.warnPct <= p.critPct, { message: 'warnPct must not exceed critPct' })
  .refine((p) => p.mounts.every((m) => (m.warnPct ?? p.warnPct) <= (m.critPct ?? p.critPct)), {
    message: 'a mount’s warnPct must not exceed its critPct',
  });
export type DfCheckParams = z.infer<typeof dfCheckParams>;

const RANK: Record<CheckStatus, number> = { OK: 0, UNKNOWN: 1, WARN: 2, CRIT: 3 };

export function formatKb(kb: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = kb;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}

interface Finding {
  status: 'WARN' | 'CRIT';
  pct: number;
  text: string;
}

/** Applies thresholds to figures already read; pure, so the rules are testable without a host. */
export function judgeDisks(mounts: MountFigures[], p: DfCheckParams): Measured {
  const rules = new Map(p.mounts.map((m) => [m.path, m]));
  const ignoredTypes = new Set(p.ignoreFsTypes);
  const ignoredMounts = new Set(p.ignoreMounts);
  const watched = mounts.filter((m) => {
    if (rules.has(m.mount)) return true;
    if (p.onlyListed || ignoredMounts.has(m.mount)) return false;
    return !(m.fsType && ignoredTypes.has(m.fsType));
  });
  const findings: Finding[] = [];
  const metrics: Record<string, number> = { mounts: watched.length };
  const judge = (value: number | null | undefined, warn: number, crit: number, label: string) => {
    if (value === null || value === undefined) return;
    if (value >= crit) findings.push({ status: 'CRIT', pct: value, text: `${label} ${value}% used (CRIT ≥${crit}%)` });
    else if (value >= warn) findings.push({ status: 'WARN', pct: value, text: `${label} ${value}% used (WARN ≥${warn}%)` });
  };
  for (const m of watched) {
    const r = rules.get(m.mount);
    const warn = r?.warnPct ?? p.warnPct;
    const crit = r?.critPct ?? p.critPct;
    judge(m.usePct, warn, crit, m.mount);
    if (m.usePct !== null) metrics[`${m.mount}_used_pct`] = m.usePct;
    metrics[`${m.mount}_used_kb`] = m.usedKb;
    metrics[`${m.mount}_avail_kb`] = m.availKb;
    metrics[`${m.mount}_size_kb`] = m.sizeKb;
    if (p.includeInodes && m.inodes) {
      judge(m.inodes.inodesUsePct, r?.inodeWarnPct ?? p.inodeWarnPct ?? warn, r?.inodeCritPct ?? p.inodeCritPct ?? crit, `${m.mount} inodes`);
      if (m.inodes.inodesUsePct !== null) metrics[`${m.mount}_inodes_used_pct`] = m.inodes.inodesUsePct;
      metrics[`${m.mount}_inodes_free`] = m.inodes.inodesFree;
    }
  }
  const present = new Set(mounts.map((m) => m.mount));
  for (const path of rules.keys()) {
    if (!present.has(path)) findings.push({ status: 'CRIT', pct: 101, text: `${path} not mounted` });
  }

  if (findings.length === 0) {
    const fullest = watched.reduce<MountFigures | undefined>((a, m) => ((m.usePct ?? -1) > (a?.usePct ?? -1) ? m : a), undefined);
    const n = `${watched.length} mount${watched.length === 1 ? '' : 's'} OK`;
    return {
      status: 'OK',
      summary: fullest
        ? `${n}; fullest ${fullest.mount} ${fullest.usePct ?? '?'}% used (${formatKb(fullest.availKb)} free)`
        : `${n}`,
      metrics,
    };
  }
  findings.sort((a, b) => RANK[b.status] - RANK[a.status] || b.pct - a.pct);
  const shown = findings.slice(0, 3).map((f) => f.text);
  if (findings.length > 3) shown.push(`and ${findings.length - 3} more`);
  return { status: (findings[0] as Finding).status, summary: shown.join(', '), metrics };
}

export function dfCheck(pool: SshSessionPool): CheckKind<DfCheckParams> {
  return {
    description: 'Disk space and inodes per mount over SSH (df -P, df -Pi) with per-mount WARN/CRIT thresholds.',
    params: dfCheckParams,
    defaults: { intervalS: 300, timeoutS: 20 },
    run: (targets, params, ctx) =>
      perTarget(targets, ctx, async (target, deadline) => {
        const c = await connectTarget(target, pool, ctx.state, {
          budgetMs: (deadline - performance.now()) * 0.6,
          signal: ctx.signal,
          now: () => ctx.now(),
        });
        if (!c.ok) return notMeasured(c.kind, c.message);
        try {
          const r = await readDisks(c.lease.session, deadline, { includeInodes: params.includeInodes, signal: ctx.signal });
          return r.ok ? judgeDisks(r.mounts, params) : { status: r.status, summary: r.summary };
        } finally {
          c.lease.release();
        }
      }),
  };
}
