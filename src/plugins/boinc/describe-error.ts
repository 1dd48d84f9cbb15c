/** Turns a BoincError into a check status and the one-line summary an operator reads. */
import type { CheckStatus } from '../../core/plugin.js';
import type { BoincError } from './errors.js';

export function errorStatus(e: BoincError): CheckStatus {
  const code = e.code === 'backoff' ? (e.extra.cause?.code ?? 'unreachable') : e.code;
  // The peer answered, but not in BOINC's protocol: we cannot say how it is.
  if (code === 'protocol') return 'UNKNOWN';
  return 'CRIT';
}

export function errorSummary(e: BoincError, hasPassword: boolean): string {
  if (e.code === 'unauthorized') {
    return hasPassword
      ? 'authorisation failed: the client refused the operation'
      : 'authorisation failed: no GUI RPC password set for this host';
  }
  return e.message;
}
