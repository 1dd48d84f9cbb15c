/**
 * Errors a client can act on. Core engines throw these; the schema turns them into typed GraphQL
 * results (validation) or coded errors (authorisation). Anything else is masked.
 */
export type ErrorCode =
  | 'VALIDATION'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'FORBIDDEN'
  | 'UNAUTHENTICATED'
  | 'RATE_LIMITED'
  | 'BULK_LIMIT'
  | 'REASON_REQUIRED';

export class CorralError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The input field at fault, e.g. "hosts[2]" or "name". */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'CorralError';
  }
}

export class ValidationError extends CorralError {
  constructor(message: string, field?: string) {
    super('VALIDATION', message, field);
  }
}

export class NotFoundError extends CorralError {
  constructor(message: string, field?: string) {
    super('NOT_FOUND', message, field);
  }
}

export class ConflictError extends CorralError {
  constructor(message: string, field?: string) {
    super('CONFLICT', message, field);
  }
}

export class ForbiddenError extends CorralError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

export class RateLimitedError extends CorralError {
  constructor(message: string) {
    super('RATE_LIMITED', message);
  }
}
