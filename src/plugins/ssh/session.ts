/**
 * One SSH connection (ssh2 Client) to one host: bounded connect with host-key pinning,
 * keepalive, and `exec` of FIXED commands only — nothing a user typed ever reaches the
 * remote shell. Failures become `SshError`s with a short readable message and a kind.
 */
import { createRequire } from 'node:module';
import { Socket } from 'node:net';
import type * as Ssh2 from 'ssh2';
import type { ClientChannel } from 'ssh2';

type Ssh2Module = typeof Ssh2;
type Client = InstanceType<Ssh2Module['Client']>;
let ssh2: Ssh2Module | undefined;
/** ssh2 (CommonJS, ~30 ms to load with its crypto setup) loads on the first connection, not at server start. */
const loadSsh2 = (): Ssh2Module => (ssh2 ??= createRequire(import.meta.url)('ssh2') as Ssh2Module);
import type { PluginStateStore } from '../../core/plugin.js';
import { hostKeyChangedMessage, verifyHostKey } from './host-key.js';

/** The only commands this plugin runs remotely. */
export const REMOTE_COMMANDS = {
  uptime: 'uptime',
  procUptime: 'cat /proc/uptime',
  procLoadavg: 'cat /proc/loadavg',
  cpuCount: 'getconf _NPROCESSORS_ONLN',
  df: 'df -P',
  dfTypes: 'df -PT',
  dfInodes: 'df -Pi',
} as const;
export type RemoteCommand = (typeof REMOTE_COMMANDS)[keyof typeof REMOTE_COMMANDS];

export type SshFailureKind =
  | 'refused'
  | 'timeout'
  | 'unreachable'
  | 'dns'
  | 'reset'
  | 'auth'
  | 'host-key'
  | 'key'
  | 'protocol'
  | 'closed';

export class SshError extends Error {
  constructor(
    readonly kind: SshFailureKind,
    message: string,
  ) {
    super(message);
    this.name = 'SshError';
  }
}

export interface ConnectOptions {
  hostId: string;
  host: string;
  port: number;
  user: string;
  privateKey: string;
  passphrase?: string;
  /** Where the pinned host key lives. */
  state: PluginStateStore;
  /** Budget for TCP connect + key exchange + authentication. */
  timeoutMs: number;
  now?: () => Date;
}

export interface ExecResult {
  /** Exit code, or null when the command was killed, timed out or the connection dropped. */
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

export interface SshSession {
  /** The server's identification line, e.g. "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u10". */
  banner: string;
  connectMs: number;
  hostKeyFingerprint: string;
  /** True when this connection pinned the host key for the first time. */
  newlyPinned: boolean;
  readonly closed: boolean;
  exec(command: RemoteCommand, timeoutMs: number, signal?: AbortSignal): Promise<ExecResult>;
  onClose(listener: () => void): void;
  close(): void;
}

const MAX_EXEC_OUTPUT = 4 * 1024 * 1024;

export function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

function classify(err: Error & { code?: unknown; level?: unknown }, host: string, port: number, timeoutMs: number): SshError {
  switch (err.code) {
    case 'ECONNREFUSED':
      return new SshError('refused', 'connection refused');
    case 'EHOSTUNREACH':
      return new SshError('unreachable', 'host unreachable');
    case 'ENETUNREACH':
      return new SshError('unreachable', 'network unreachable');
    case 'ETIMEDOUT':
      return new SshError('timeout', `no answer within ${formatSeconds(timeoutMs)}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new SshError('dns', `cannot resolve ${host}`);
    case 'ECONNRESET':
    case 'EPIPE':
      return new SshError('reset', 'connection reset by peer');
  }
  if (err.level === 'client-timeout') return new SshError('timeout', `no answer within ${formatSeconds(timeoutMs)}`);
  if (err.level === 'client-authentication') return new SshError('auth', 'authentication failed (publickey)');
  return new SshError('protocol', `SSH protocol error from ${host}:${port}: ${err.message}`);
}

/**
 * Opens an authenticated session or rejects with an SshError; never takes longer than `timeoutMs`
 * (+ a few ms). Throws synchronously (kind 'key') when the private key cannot be read, before
 * touching the network: a bad key is a settings problem, not a host problem.
 */
export function openSession(opts: ConnectOptions): Promise<SshSession> {
  const { Client, utils } = loadSsh2();
  const parsed = utils.parseKey(opts.privateKey, opts.passphrase);
  if (parsed instanceof Error) throw new SshError('key', `private key could not be read: ${parsed.message}`);

  return new Promise((resolve, reject) => {
    const started = performance.now();
    const client = new Client();
    const sock = new Socket();
    let settled = false;
    let closed = false;
    let banner = '';
    let sniffed = '';
    let hostKey: { fingerprint: string; newlyPinned: boolean } | undefined;
    let hostKeyFailure: SshError | undefined;
    const closeListeners: Array<() => void> = [];

    // ssh2 hides the server's identification line; read it off the socket as it goes by.
    const sniff = (chunk: Buffer) => {
      sniffed += chunk.toString('latin1');
      for (const line of sniffed.split('\n')) {
        if (line.startsWith('SSH-') && sniffed.includes(`${line}\n`)) {
          banner = line.replace(/\r$/, '').replace(/[^\x20-\x7e]/g, '?').slice(0, 255);
          sock.off('data', sniff);
          return;
        }
      }
      if (sniffed.length > 16_384) sock.off('data', sniff);
    };
    sock.on('data', sniff);

    const fail = (err: SshError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      sock.destroy();
      reject(err);
    };
    // Our own deadline covers everything (DNS, TCP connect, a server that never speaks).
    const timer = setTimeout(() => {
      const odd = notSsh();
      fail(
        odd
          ? new SshError('protocol', `${odd}; no SSH banner within ${formatSeconds(opts.timeoutMs)}`)
          : new SshError('timeout', `no answer within ${formatSeconds(opts.timeoutMs)}`),
      );
    }, opts.timeoutMs);

    /** What a non-SSH server said instead of a banner, for the summary. */
    const notSsh = (): string | undefined => {
      if (banner || !sniffed.trim()) return undefined;
      const said = (sniffed.trim().split(/\r?\n/)[0] ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 60);
      return `not an SSH server (it said ${JSON.stringify(said)})`;
    };
    const closedEarly = () =>
      hostKeyFailure ??
      (banner
        ? new SshError('closed', 'connection closed by the server during the SSH handshake')
        : new SshError('protocol', notSsh() ?? 'connection closed before an SSH banner (not an SSH server?)'));

    client.on('error', (err) => {
      if (settled) return;
      if (/^Connection lost before handshake/.test(err.message)) fail(closedEarly());
      else fail(hostKeyFailure ?? classify(err, opts.host, opts.port, opts.timeoutMs));
      // After 'ready', errors (keepalive timeout, reset) just end the session; 'close' follows.
    });
    client.on('close', () => {
      closed = true;
      if (!settled) fail(closedEarly());
      for (const l of closeListeners.splice(0)) l();
    });
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const session: SshSession = {
        banner,
        connectMs: Math.round(performance.now() - started),
        hostKeyFingerprint: hostKey?.fingerprint ?? '',
        newlyPinned: hostKey?.newlyPinned ?? false,
        get closed() {
          return closed;
        },
        exec: (command, timeoutMs, signal) => exec(client, () => closed, command, timeoutMs, signal),
        onClose: (l) => {
          if (closed) l();
          else closeListeners.push(l);
        },
        close: () => {
          client.end();
          // end() waits for the server; make sure the socket goes even if it does not answer.
          setTimeout(() => sock.destroy(), 1000).unref();
        },
      };
      resolve(session);
    });

    sock.connect({ host: opts.host, port: opts.port });
    client.connect({
      sock,
      username: opts.user,
      privateKey: opts.privateKey,
      passphrase: opts.passphrase,
      readyTimeout: opts.timeoutMs + 1000, // ours fires first, with the better message
      keepaliveInterval: 10_000,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
        verifyHostKey(opts.state, opts.hostId, key, opts.now?.()).then(
          (v) => {
            if (v.ok) hostKey = { fingerprint: v.fingerprint, newlyPinned: v.newlyPinned };
            else hostKeyFailure = new SshError('host-key', hostKeyChangedMessage(v.expected, v.got));
            verify(v.ok);
          },
          (e: unknown) => {
            hostKeyFailure = new SshError('protocol', `could not check the pinned host key: ${(e as Error).message}`);
            verify(false);
          },
        );
      },
    });
  });
}

function exec(
  client: Client,
  isClosed: () => boolean,
  command: RemoteCommand,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ExecResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    if (isClosed()) {
      resolve({ code: null, stdout: '', stderr: 'connection closed', timedOut: false, durationMs: 0 });
      return;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let size = 0;
    let code: number | null = null;
    let timedOut = false;
    let done = false;
    let channel: ClientChannel | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      resolve({
        code: timedOut ? null : code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        timedOut,
        durationMs: Math.round(performance.now() - started),
      });
    };
    const giveUp = () => {
      timedOut = true;
      try {
        channel?.close();
      } catch {}
      finish();
    };
    const onAbort = () => giveUp();
    const timer = setTimeout(giveUp, timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_EXEC_OUTPUT) into.push(chunk);
    };
    try {
      client.exec(command, (e, stream) => {
        if (e) {
          err.push(Buffer.from(e.message));
          finish();
          return;
        }
        channel = stream;
        if (done) {
          stream.close();
          return;
        }
        stream.on('data', collect(out));
        stream.stderr.on('data', collect(err));
        stream.on('exit', (c: number | null) => {
          code = typeof c === 'number' ? c : null;
        });
        stream.on('close', finish);
      });
    } catch (e) {
      // ssh2 throws synchronously when the connection is no longer writable.
      err.push(Buffer.from((e as Error).message));
      finish();
    }
  });
}
