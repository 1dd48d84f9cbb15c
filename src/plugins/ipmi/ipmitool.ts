/**
 * Builds ipmitool argv and runs it through the CommandRunner. Always `-I lanplus` with an explicit
 * cipher suite; the password travels only in IPMI_PASSWORD (`-E`), never in argv. Failures are
 * classified into the few things an operator can act on.
 */
import type { CommandResult, CommandRunner } from '../../core/command.js';
import { type BmcConnection, bmcLabel, noAnswerSeconds } from './settings.js';

export type IpmiFailureKind = 'auth' | 'privilege' | 'unreachable' | 'cipher' | 'tool' | 'other';

export type IpmiResult =
  | { ok: true; stdout: string; durationMs: number }
  | { ok: false; kind: IpmiFailureKind; message: string; durationMs: number };

/**
 * Argv for one ipmitool command. `command` is a fixed sub-command chosen by this plugin
 * (e.g. ['chassis', 'power', 'status']), never user input. `-v` makes ipmitool say why a
 * session failed (RAKP errors vs. no answer), which the classifier needs; it also changes
 * some output formats (`sdr elist` goes multi-line), so table-reading commands turn it off.
 */
export function ipmitoolArgs(bmc: BmcConnection, command: readonly string[], verbose = true): string[] {
  return [
    '-I',
    'lanplus',
    '-C',
    String(bmc.cipherSuite),
    '-H',
    bmc.address,
    '-p',
    String(bmc.port),
    '-U',
    bmc.user,
    '-L',
    bmc.privilege,
    '-E',
    '-N',
    String(bmc.timeoutS),
    '-R',
    String(bmc.retries),
    ...(verbose ? ['-v'] : []),
    ...command,
  ];
}

/** Upper bound for one ipmitool run: a session takes a handful of round trips, each bounded by -N/-R. */
export function commandTimeoutMs(bmc: BmcConnection): number {
  return (noAnswerSeconds(bmc) * 3 + 2) * 1000;
}

export interface RunIpmitoolOptions {
  signal?: AbortSignal;
  /** Caps the run (e.g. the check's remaining time); the smaller of this and commandTimeoutMs wins. */
  timeoutMs?: number;
  /** Pass `-v` (default): better failure reasons, but verbose output formats. */
  verbose?: boolean;
}

export async function runIpmitool(
  run: CommandRunner,
  bmc: BmcConnection,
  command: readonly string[],
  options: RunIpmitoolOptions = {},
): Promise<IpmiResult> {
  const timeoutMs = Math.max(100, Math.min(options.timeoutMs ?? Number.POSITIVE_INFINITY, commandTimeoutMs(bmc)));
  const started = performance.now();
  let result: CommandResult;
  try {
    result = await run('ipmitool', ipmitoolArgs(bmc, command, options.verbose ?? true), {
      timeoutMs,
      env: { IPMI_PASSWORD: bmc.password },
      signal: options.signal,
      maxOutputBytes: 1024 * 1024,
    });
  } catch (e) {
    // The semaphore rejects when the caller's signal aborts while queued.
    return { ok: false, kind: 'unreachable', message: `no BMC session started: ${errorText(e)}`, durationMs: performance.now() - started };
  }
  if (result.code === 0 && !result.timedOut) return { ok: true, stdout: result.stdout, durationMs: result.durationMs };
  return { ok: false, ...classifyFailure(result, bmc), durationMs: result.durationMs };
}

// ipmitool's -v chatter that says nothing about the failure.
const NOISE = [
  /^Loading IANA PEN Registry/i,
  /^Running Get VSO Capabilities/i,
  /^Invalid completion code received: Invalid command/i,
  /^Discovered IPMB address/i,
  /^Get HPM\.x Capabilities request failed/i,
  /^>/,
  /^\s*$/,
];

/** Maps a failed ipmitool run to one readable reason. Order matters: specific RAKP errors first. */
export function classifyFailure(result: CommandResult, bmc: BmcConnection): { kind: IpmiFailureKind; message: string } {
  if (result.spawnError) return { kind: 'tool', message: `ipmitool could not be started: ${result.spawnError}` };
  if (result.timedOut) {
    return { kind: 'unreachable', message: `BMC unreachable (no answer within ${Math.round(result.durationMs / 1000)}s)` };
  }
  const text = `${result.stderr}\n${result.stdout}`;
  if (/insufficient privilege|unauthorized role or privilege/i.test(text)) {
    return { kind: 'privilege', message: 'insufficient privilege' };
  }
  if (/RAKP \d+ HMAC is invalid|unauthorized name|invalid (user ?name|password)|authentication (type )?(failed|not supported)/i.test(text)) {
    return { kind: 'auth', message: 'authentication failed' };
  }
  if (/invalid (authentication|integrity|confidentiality) algorithm|no matching cipher suite|cipher suite .* not supported/i.test(text)) {
    return { kind: 'cipher', message: `cipher suite ${bmc.cipherSuite} not supported by the BMC` };
  }
  if (/insufficient resources for session/i.test(text)) {
    return { kind: 'other', message: 'BMC has no free session slots (too many open sessions)' };
  }
  if (/Get Auth Capabilities error|No response from remote controller|Unable to establish (IPMI v2 \/ RMCP\+ )?session/i.test(text)) {
    // With -v a refused password always shows a RAKP line first, so a bare session failure is silence.
    return { kind: 'unreachable', message: `BMC unreachable (no answer within ${noAnswerSeconds(bmc)}s)` };
  }
  const lines = text.split('\n').map((l) => l.trim());
  const useful = lines.filter((l) => !NOISE.some((re) => re.test(l)));
  const line = useful.find((l) => /error|fail|invalid|unable/i.test(l)) ?? useful[0];
  return { kind: 'other', message: line ? line.slice(0, 200) : `ipmitool exited with code ${result.code} (${bmcLabel(bmc)})` };
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
