/**
 * `sinfo --json`: every node with its state, flags, reason and partitions in one call.
 * A dead controller does not show in the exit code (sinfo exits 0 with `errors` and no nodes),
 * so the `errors` array decides. The parser is tolerant of the later data_parser shape too
 * (state as an array, times as `{ number }` objects), so a Slurm upgrade does not blind us.
 */
import { z } from 'zod';
import type { CommandRunner } from '../../core/command.js';
import {
  DEFAULT_SLURM_TIMEOUT_MS,
  type SlurmCallOptions,
  SlurmUnavailableError,
  slurmBinary,
  slurmEnv,
} from './options.js';

/** One node as sinfo reports it, fields renamed and defaulted. */
export interface SinfoNode {
  name: string;
  /** NodeAddr, when Slurm knows one. */
  address: string | null;
  /** Base state as sinfo prints it (lower case in 22.05: idle, allocated, mixed, down …). */
  state: string;
  /** Upper-case flags: DRAIN, NOT_RESPONDING, FAIL, COMPLETING, MAINTENANCE … */
  stateFlags: string[];
  /** Empty when none. */
  reason: string;
  /** Epoch seconds; 0 when no reason is set. */
  reasonChangedAt: number;
  reasonSetByUser: string | null;
  partitions: string[];
  cpus: number;
  allocCpus: number;
  /** RealMemory in MB. */
  memoryMb: number;
  freeMemoryMb: number | null;
  /** Load average (sinfo reports it ×100). */
  load: number | null;
}

// Newer Slurm wraps numbers as { set, infinite, number }.
const num = z
  .union([z.number(), z.object({ number: z.number().optional() }).transform((o) => o.number ?? null)])
  .nullish()
  .catch(null)
  .transform((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null));
const str = z.string().nullish().catch(null);
const strings = z.array(z.string()).nullish().catch([]);

const NodeSchema = z.object({
  name: z.string().min(1),
  address: str,
  state: z.union([z.string(), z.array(z.string())]).nullish().catch(null),
  state_flags: strings,
  reason: str,
  reason_changed_at: num,
  reason_set_by_user: str,
  partitions: strings,
  cpus: num,
  alloc_cpus: num,
  real_memory: num,
  free_memory: num,
  cpu_load: num,
});

const ErrorSchema = z
  .object({
    error: z.string().optional().catch(undefined),
    description: z.string().optional().catch(undefined),
    errno: z.number().optional().catch(undefined),
    error_number: z.number().optional().catch(undefined),
  })
  .catch({});

const DocumentSchema = z.object({
  errors: z.array(ErrorSchema).nullish().catch([]),
  nodes: z.array(z.unknown()),
});

function errorText(e: z.infer<typeof ErrorSchema>): string {
  const text = [e.description, e.error].filter((s) => s && s.trim() !== '').join(': ') || 'error';
  const code = e.errno ?? e.error_number;
  return code !== undefined ? `${text} (errno ${code})` : text;
}

function toNode(raw: z.infer<typeof NodeSchema>): SinfoNode {
  // 22.05: state "idle" + state_flags ["DRAIN"]; data_parser: state ["IDLE", "DRAIN"].
  const stateParts = Array.isArray(raw.state) ? raw.state : raw.state ? [raw.state] : [];
  const flags = [...stateParts.slice(1), ...(raw.state_flags ?? [])].map((f) => f.toUpperCase());
  const reasonChangedAt = raw.reason_changed_at ?? 0;
  return {
    name: raw.name,
    address: raw.address && raw.address !== '' ? raw.address : null,
    state: stateParts[0] ?? 'unknown',
    stateFlags: [...new Set(flags)],
    reason: raw.reason ?? '',
    reasonChangedAt,
    reasonSetByUser: raw.reason_set_by_user && raw.reason_set_by_user !== '' ? raw.reason_set_by_user : null,
    partitions: raw.partitions ?? [],
    cpus: raw.cpus ?? 0,
    allocCpus: raw.alloc_cpus ?? 0,
    memoryMb: raw.real_memory ?? 0,
    freeMemoryMb: raw.free_memory,
    load: raw.cpu_load === null ? null : raw.cpu_load / 100,
  };
}

/** Parses sinfo's JSON; throws SlurmUnavailableError on reported errors or output that is not sinfo's. */
export function parseSinfoJson(text: string): SinfoNode[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    const head = text.trim().slice(0, 80);
    throw new SlurmUnavailableError(`sinfo output is not JSON${head ? `: ${head}` : ' (empty)'}`);
  }
  const parsed = DocumentSchema.safeParse(doc);
  if (!parsed.success) throw new SlurmUnavailableError('sinfo JSON has no node list');
  const errors = parsed.data.errors ?? [];
  if (errors.length > 0) {
    throw new SlurmUnavailableError(`slurmctld unreachable: ${errors.map(errorText).join('; ')}`);
  }
  const nodes: SinfoNode[] = [];
  for (const raw of parsed.data.nodes) {
    const n = NodeSchema.safeParse(raw);
    if (n.success) nodes.push(toNode(n.data)); // a node without a name cannot be matched: skip it
  }
  return nodes;
}

/** Runs `sinfo --json` once and returns every node; throws SlurmUnavailableError when Slurm cannot be asked. */
export async function readSinfoNodes(run: CommandRunner, opts: SlurmCallOptions = {}): Promise<SinfoNode[]> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SLURM_TIMEOUT_MS;
  const r = await run(slurmBinary(opts, 'sinfo'), ['--json'], {
    timeoutMs,
    env: slurmEnv(opts),
    signal: opts.signal,
    maxOutputBytes: 64 * 1024 * 1024, // large clusters print a lot of JSON
  });
  if (r.spawnError) throw new SlurmUnavailableError(`cannot run sinfo: ${r.spawnError}`);
  if (r.timedOut) {
    throw new SlurmUnavailableError(
      `slurmctld unreachable: sinfo gave no answer within ${Math.round(timeoutMs / 1000)} s`,
    );
  }
  if (r.stdout.trim() === '') {
    const why = r.stderr.trim().split('\n').pop() || `exit code ${r.code}`;
    throw new SlurmUnavailableError(`sinfo failed: ${why}`);
  }
  return parseSinfoJson(r.stdout);
}
