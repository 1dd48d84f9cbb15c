/**
 * One TCP connection to a BOINC client's GUI RPC port: framing (each message ends with 0x03),
 * bounded connect and reply timeouts, auth1/auth2, ISO-8859-1 text, one request at a time.
 * A connection that failed is dead; the client above makes a new one.
 */
import { createHash } from 'node:crypto';
import { Socket } from 'node:net';
import { BoincError } from './errors.js';
import { parseReply, preview, str, type XmlNode } from './xml.js';

export interface BoincConnectionOptions {
  host: string;
  port: number;
  /** GUI RPC password; when set, the connection authenticates right after connecting. */
  password?: string;
  connectTimeoutMs: number;
  replyTimeoutMs: number;
  /** Source address to connect from (tests use 127.0.0.2 to be a "remote" GUI RPC client). */
  localAddress?: string;
  /** Replies larger than this are refused (a peer that floods must not exhaust memory). */
  maxReplyBytes?: number;
}

const END = 0x03;
const DEFAULT_MAX_REPLY = 64 * 1024 * 1024;

export class BoincConnection {
  private socket: Socket | null = null;
  private chunks: Buffer[] = [];
  private size = 0;
  private pending: { resolve(text: string): void; reject(e: BoincError): void } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private dead: BoincError | null = null;

  constructor(private readonly opts: BoincConnectionOptions) {}

  get alive(): boolean {
    return this.socket !== null && this.dead === null;
  }

  /** Connects (bounded by connectTimeoutMs) and, with a password, authenticates. */
  async open(signal?: AbortSignal): Promise<void> {
    await this.connect(signal);
    if (this.opts.password !== undefined && this.opts.password !== '') await this.authenticate(signal);
  }

  private connect(signal?: AbortSignal): Promise<void> {
    const { host, port, connectTimeoutMs, localAddress } = this.opts;
    return new Promise((resolve, reject) => {
      const socket = new Socket();
      let settled = false;
      const fail = (e: BoincError) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.destroy();
        reject(e);
      };
      const timer = setTimeout(
        () => fail(new BoincError('unreachable', `unreachable: no connection within ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      const onAbort = () => fail(new BoincError('aborted', 'aborted while connecting'));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      socket.once('error', (e: NodeJS.ErrnoException) => fail(connectError(e)));
      socket.connect({ host, port, localAddress }, () => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        socket.removeAllListeners('error');
        socket.setNoDelay(true);
        socket.setKeepAlive(true, 30_000); // notice a vanished peer on an idle pooled connection
        socket.on('data', (d: Buffer) => this.onData(d));
        socket.on('error', (e: NodeJS.ErrnoException) =>
          this.kill(new BoincError('closed', `connection lost: ${e.code ?? e.message}`)),
        );
        socket.on('close', () => this.kill(new BoincError('closed', 'connection closed by the BOINC client')));
        this.socket = socket;
        resolve();
      });
    });
  }

  private async authenticate(signal?: AbortSignal): Promise<void> {
    let nonce: string;
    try {
      nonce = str(await this.call('<auth1/>', signal), 'nonce');
    } catch (e) {
      throw authError(e, false);
    }
    if (!nonce) throw new BoincError('protocol', 'invalid reply to auth1: no nonce');
    const hash = createHash('md5').update(`${nonce}${this.opts.password ?? ''}`, 'latin1').digest('hex');
    let reply: XmlNode;
    try {
      reply = await this.call(`<auth2>\n<nonce_hash>${hash}</nonce_hash>\n</auth2>`, signal);
    } catch (e) {
      throw authError(e, true);
    }
    if (!('authorized' in reply)) throw new BoincError('protocol', 'invalid reply to auth2');
  }

  /** Sends one request body (e.g. "<get_cc_status/>") and returns the parsed reply children. */
  async call(body: string, signal?: AbortSignal): Promise<XmlNode> {
    return parseReply(await this.request(body, signal));
  }

  /** Sends one request and returns the raw reply text; requests on one connection are serialised. */
  request(body: string, signal?: AbortSignal): Promise<string> {
    const run = () => this.requestNow(body, signal);
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private requestNow(body: string, signal?: AbortSignal): Promise<string> {
    if (this.dead) return Promise.reject(this.dead);
    const socket = this.socket;
    if (!socket) return Promise.reject(new BoincError('closed', 'not connected'));
    const { replyTimeoutMs } = this.opts;
    return new Promise<string>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.pending = null;
      };
      const timer = setTimeout(
        () => this.kill(new BoincError('timeout', `no reply within ${replyTimeoutMs} ms`)),
        replyTimeoutMs,
      );
      const onAbort = () => this.kill(new BoincError('aborted', 'aborted while waiting for a reply'));
      signal?.addEventListener('abort', onAbort, { once: true });
      this.pending = {
        resolve: (t) => {
          done();
          resolve(t);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      if (signal?.aborted) return onAbort();
      this.chunks = [];
      this.size = 0;
      // latin1 both ways: bytes we received (URLs, task names) go back to the client unchanged.
      socket.write(Buffer.from(`<boinc_gui_rpc_request>\n${body}\n</boinc_gui_rpc_request>\n\x03`, 'latin1'));
    });
  }

  private onData(d: Buffer): void {
    if (!this.pending) {
      // Bytes nobody asked for: the peer is not speaking the protocol.
      this.kill(new BoincError('protocol', `unexpected data from peer: ${preview(d.toString('latin1'))}`));
      return;
    }
    const end = d.indexOf(END);
    if (end === -1) {
      this.chunks.push(d);
      this.size += d.length;
      if (this.size > (this.opts.maxReplyBytes ?? DEFAULT_MAX_REPLY)) {
        this.kill(new BoincError('protocol', `reply larger than ${this.opts.maxReplyBytes ?? DEFAULT_MAX_REPLY} bytes`));
      }
      return;
    }
    this.chunks.push(d.subarray(0, end));
    const text = Buffer.concat(this.chunks).toString('latin1');
    this.chunks = [];
    this.size = 0;
    const pending = this.pending;
    if (end !== d.length - 1) {
      // Data after the end marker with no request outstanding: treat the stream as broken.
      pending.resolve(text);
      this.kill(new BoincError('protocol', 'unexpected data after the end of a reply'));
      return;
    }
    pending.resolve(text);
  }

  /** Marks the connection dead, fails the pending request with `e`, and closes the socket. */
  private kill(e: BoincError): void {
    if (!this.dead) this.dead = e;
    const pending = this.pending;
    this.pending = null;
    if (pending) {
      // A close that follows a partial reply means the reply was truncated.
      if (e.code === 'closed' && this.size > 0) {
        pending.reject(new BoincError('protocol', `truncated reply: connection closed after ${this.size} bytes`));
      } else pending.reject(e);
    }
    this.socket?.destroy();
  }

  close(): void {
    this.kill(new BoincError('closed', 'connection closed'));
  }
}

function connectError(e: NodeJS.ErrnoException): BoincError {
  switch (e.code) {
    case 'ECONNREFUSED':
      return new BoincError('refused', 'connection refused');
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new BoincError('unreachable', `unreachable: ${e.code}`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new BoincError('unreachable', `unreachable: cannot resolve host name (${e.code})`);
    default:
      return new BoincError('unreachable', `cannot connect: ${e.code ?? e.message}`);
  }
}

/** A refusal, or (after auth2) a dropped socket, means the password was not accepted. */
function authError(e: unknown, afterHash: boolean): BoincError {
  if (e instanceof BoincError && (e.code === 'unauthorized' || (afterHash && e.code === 'closed'))) {
    return new BoincError('auth', 'authorisation failed: wrong GUI RPC password');
  }
  return e instanceof BoincError ? e : new BoincError('protocol', String(e));
}
