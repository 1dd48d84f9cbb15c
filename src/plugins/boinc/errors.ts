/**
 * One error type for everything that can go wrong talking to a BOINC client, with a code a
 * caller can branch on (check status, backoff, GraphQL error) and a readable message.
 */
export type BoincErrorCode =
  /** TCP connect refused (nothing listens on the port). */
  | 'refused'
  /** No TCP connection within the connect timeout, or no route to the host. */
  | 'unreachable'
  /** Connected, but no complete reply within the reply timeout. */
  | 'timeout'
  /** The peer closed the connection before a complete reply. */
  | 'closed'
  /** auth2 was refused (wrong password), or the socket died during the handshake. */
  | 'auth'
  /** An op answered <unauthorized/>: no password set, or the op needs one from this address. */
  | 'unauthorized'
  /** The reply was not the XML we expected (garbage, truncated, too large). */
  | 'protocol'
  /** The client understood the request and answered <error>…</error>. */
  | 'rpc'
  /** A recent failure put the host in backoff: answered at once without touching the network. */
  | 'backoff'
  /** The caller's signal aborted the call. */
  | 'aborted';

export class BoincError extends Error {
  override readonly name = 'BoincError';
  constructor(
    readonly code: BoincErrorCode,
    message: string,
    /** For 'backoff': when the host last answered, if ever; and the error that caused the backoff. */
    readonly extra: { lastSeenAt?: Date | null; cause?: BoincError; retryAt?: Date } = {},
  ) {
    super(message);
  }
}

/** Errors that say something about the host's reachability (they feed the per-host backoff). */
export const CONNECTIVITY_CODES: ReadonlySet<BoincErrorCode> = new Set([
  'refused',
  'unreachable',
  'timeout',
  'closed',
  'auth',
  'protocol',
]);

export function asBoincError(e: unknown): BoincError {
  if (e instanceof BoincError) return e;
  return new BoincError('protocol', e instanceof Error ? e.message : String(e));
}
