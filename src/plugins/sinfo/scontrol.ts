/**
 * Node updates through scontrol: drain with a reason, resume, reboot when idle. Every name is
 * validated before any process runs; the reason travels as one `reason=<text>` argv element
 * (no shell, so no quoting). One scontrol run per node: with a node list Slurm applies the update
 * to the known nodes yet fails the whole command for one unknown name, so per-host verdicts
 * would be guesses. Each run takes milliseconds while the controller is up.
 */
import type { CommandRunner } from '../../core/command.js';
import { isValidNodeName, reasonProblem } from './node-name.js';
import { DEFAULT_SLURM_TIMEOUT_MS, type SlurmCallOptions, slurmBinary, slurmEnv } from './options.js';

export interface ScontrolOutcome {
  node: string;
  ok: boolean;
  message: string;
}

export const REBOOT_NEXT_STATES = ['RESUME', 'DOWN'] as const;
export type RebootNextState = (typeof REBOOT_NEXT_STATES)[number];

/** Why `node` may not reach scontrol, or null. "ALL" means every node to `scontrol reboot`. */
export function nodeNameProblem(node: string): string | null {
  if (!isValidNodeName(node)) return `invalid Slurm node name ${JSON.stringify(node.slice(0, 80))}`;
  if (node.toUpperCase() === 'ALL') return 'refusing node name "ALL" (scontrol reads it as every node)';
  return null;
}

const UNREACHABLE = /unable to contact slurm controller|connection refused|timed out|socket timed out/i;

interface RunResult {
  ok: boolean;
  message: string;
  unreachable: boolean;
}

async function scontrol(args: string[], run: CommandRunner, opts: SlurmCallOptions): Promise<RunResult> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_SLURM_TIMEOUT_MS;
  const r = await run(slurmBinary(opts, 'scontrol'), args, { timeoutMs, env: slurmEnv(opts), signal: opts.signal });
  if (r.spawnError) return { ok: false, message: `cannot run scontrol: ${r.spawnError}`, unreachable: true };
  if (r.timedOut) {
    const message = `slurmctld unreachable: scontrol gave no answer within ${Math.round(timeoutMs / 1000)} s`;
    return { ok: false, message, unreachable: true };
  }
  if (r.code === 0) return { ok: true, message: '', unreachable: false };
  // scontrol says what went wrong on one line and a generic failure on the next: keep both
  const lines = `${r.stderr}\n${r.stdout}`
    .split('\n')
    .map((l) => l.trim().replace(/^(scontrol: error|slurm_update error|scontrol_reboot_nodes error):\s*/, ''))
    .filter((l) => l !== '');
  const message = [...new Set(lines)].join('; ') || `exit code ${r.code}`;
  return { ok: false, message, unreachable: UNREACHABLE.test(message) };
}

/**
 * Validates every name, then runs `build(node)` per valid node, one after the other; once the
 * controller proves unreachable the remaining nodes get that verdict without waiting ~9 s each.
 * Returns one outcome per input name, in input order.
 */
async function perNode(
  nodes: readonly string[],
  build: (node: string) => string[],
  okMessage: string,
  run: CommandRunner,
  opts: SlurmCallOptions,
  tolerate?: { pattern: RegExp; message: string },
): Promise<ScontrolOutcome[]> {
  const verdict = new Map<string, ScontrolOutcome>();
  const valid: string[] = [];
  for (const node of nodes) {
    const problem = nodeNameProblem(node);
    if (problem) verdict.set(node, { node, ok: false, message: problem });
    else if (!valid.includes(node)) valid.push(node);
  }
  let down: string | undefined;
  for (const node of valid) {
    if (down !== undefined) {
      verdict.set(node, { node, ok: false, message: down });
      continue;
    }
    const r = await scontrol(build(node), run, opts);
    if (r.unreachable) down = r.message;
    if (r.ok) verdict.set(node, { node, ok: true, message: okMessage });
    else if (tolerate?.pattern.test(r.message)) verdict.set(node, { node, ok: true, message: tolerate.message });
    else verdict.set(node, { node, ok: false, message: r.message });
  }
  return nodes.map((n) => verdict.get(n) as ScontrolOutcome); // every input name got a verdict above
}

function checkedReason(reason: string): string {
  const problem = reasonProblem(reason);
  if (problem) throw new Error(problem);
  return reason.trim();
}

/** `scontrol update nodename=… state=drain reason=…`. Throws on a bad reason before running anything. */
export async function slurmDrain(
  nodes: readonly string[],
  reason: string,
  run: CommandRunner,
  opts: SlurmCallOptions = {},
): Promise<ScontrolOutcome[]> {
  const r = checkedReason(reason);
  return perNode(nodes, (n) => ['update', `nodename=${n}`, 'state=drain', `reason=${r}`], 'drain requested', run, opts);
}

/** `scontrol update nodename=… state=resume`: clears drain (and its reason). */
export async function slurmResume(
  nodes: readonly string[],
  run: CommandRunner,
  opts: SlurmCallOptions = {},
): Promise<ScontrolOutcome[]> {
  // Slurm refuses to resume a node that is not drained or down; for the operator that is done already
  const notNeeded = { pattern: /^Invalid node state specified$/, message: 'nothing to resume (node was not drained or down)' };
  return perNode(nodes, (n) => ['update', `nodename=${n}`, 'state=resume'], 'resumed', run, opts, notNeeded);
}

/** `scontrol reboot ASAP nextstate=… reason=… nodes`: reboots each node once its jobs are done. */
export async function slurmReboot(
  nodes: readonly string[],
  params: { reason: string; nextState: RebootNextState },
  run: CommandRunner,
  opts: SlurmCallOptions = {},
): Promise<ScontrolOutcome[]> {
  const r = checkedReason(params.reason);
  if (!REBOOT_NEXT_STATES.includes(params.nextState)) throw new Error(`nextState must be RESUME or DOWN`);
  return perNode(
    nodes,
    (n) => ['reboot', 'ASAP', `nextstate=${params.nextState}`, `reason=${r}`, n],
    `reboot scheduled (ASAP, then ${params.nextState.toLowerCase()})`,
    run,
    opts,
  );
}
