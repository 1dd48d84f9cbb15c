/** Chassis power over IPMI: read the state, send a command, and read the state back. */
import type { CommandRunner } from '../../core/command.js';
import { type IpmiFailureKind, type RunIpmitoolOptions, runIpmitool } from './ipmitool.js';
import type { BmcConnection } from './settings.js';

export const POWER_COMMANDS = ['on', 'off', 'cycle', 'reset', 'soft'] as const;
export type PowerCommand = (typeof POWER_COMMANDS)[number];
export type PowerState = 'on' | 'off';

/** The state a command should end in; soft shutdown depends on the OS, so nothing is awaited. */
const EXPECTED: Record<PowerCommand, PowerState | null> = { on: 'on', off: 'off', cycle: 'on', reset: 'on', soft: null };

/** Verbs for messages: "would power cycle n01". */
export const POWER_VERBS: Record<PowerCommand, string> = {
  on: 'power on',
  off: 'power off',
  cycle: 'power cycle',
  reset: 'hard reset',
  soft: 'soft shutdown (ACPI)',
};

export type PowerReading =
  | { ok: true; state: PowerState; durationMs: number }
  | { ok: false; kind: IpmiFailureKind; message: string; durationMs: number };

export function parsePowerStatus(stdout: string): PowerState | null {
  const m = /Chassis Power is (on|off)\b/i.exec(stdout);
  return m ? (m[1]!.toLowerCase() as PowerState) : null;
}

export async function readPowerState(run: CommandRunner, bmc: BmcConnection, options: RunIpmitoolOptions = {}): Promise<PowerReading> {
  const r = await runIpmitool(run, bmc, ['chassis', 'power', 'status'], options);
  if (!r.ok) return r;
  const state = parsePowerStatus(r.stdout);
  if (!state) {
    const line = r.stdout.trim().split('\n')[0]?.slice(0, 120) || 'no output';
    return { ok: false, kind: 'other', message: `unexpected power status reply: ${line}`, durationMs: r.durationMs };
  }
  return { ok: true, state, durationMs: r.durationMs };
}

export interface PowerActionResult {
  ok: boolean;
  message: string;
  before: PowerState | 'unknown';
  after: PowerState | 'unknown';
  failure?: IpmiFailureKind;
}

export interface PowerActionOptions {
  signal?: AbortSignal;
  /** How long to poll for the expected state after the command was accepted. */
  settleMs?: number;
  pollMs?: number;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Reads the state first (a BMC we cannot talk to gets no command), sends the command, then polls
 * until the expected state shows or `settleMs` passes. A command the BMC accepted but whose effect
 * cannot be confirmed is reported as not ok, so nobody mistakes "sent" for "done".
 */
export async function powerAction(
  run: CommandRunner,
  bmc: BmcConnection,
  command: PowerCommand,
  options: PowerActionOptions = {},
): Promise<PowerActionResult> {
  const { signal, settleMs = 10_000, pollMs = 500 } = options;
  const before = await readPowerState(run, bmc, { signal });
  if (!before.ok) return { ok: false, message: before.message, before: 'unknown', after: 'unknown', failure: before.kind };

  const sent = await runIpmitool(run, bmc, ['chassis', 'power', command], { signal });
  if (!sent.ok) return { ok: false, message: sent.message, before: before.state, after: before.state, failure: sent.kind };

  const expected = EXPECTED[command];
  const deadline = performance.now() + settleMs;
  let last: PowerReading;
  for (;;) {
    last = await readPowerState(run, bmc, { signal });
    if (expected === null || (last.ok && last.state === expected)) break;
    if (performance.now() + pollMs > deadline || signal?.aborted) break;
    await sleep(pollMs, signal);
  }
  if (!last.ok) {
    return {
      ok: false,
      message: `${POWER_VERBS[command]} sent, but reading the power state back failed: ${last.message}`,
      before: before.state,
      after: 'unknown',
      failure: last.kind,
    };
  }
  const after = last.state;
  if (expected !== null && after !== expected) {
    return {
      ok: false,
      message: `${POWER_VERBS[command]} sent, but power is still ${after} after ${Math.round(settleMs / 1000)}s`,
      before: before.state,
      after,
    };
  }
  const done: Record<PowerCommand, string> = {
    on: before.state === 'on' ? 'power was already on' : 'power is now on',
    off: before.state === 'off' ? 'power was already off' : 'power is now off',
    cycle: 'power cycled; power is now on',
    reset: 'reset; power is on',
    soft: after === 'off' ? 'soft shutdown requested; power is now off' : 'soft shutdown requested; power is still on (the OS shuts down)',
  };
  return { ok: true, message: done[command], before: before.state, after };
}
