/** Typed errors: one `Error` interface; each core error class is a GraphQL object type. */
import { ConflictError, type CorralError, NotFoundError, RateLimitedError, ValidationError } from '../core/errors.js';
import { builder } from './builder.js';

export const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  fields: (t) => ({ message: t.exposeString('message') }),
});

const ErrorCode = builder.enumType('ErrorCode', {
  values: ['VALIDATION', 'NOT_FOUND', 'CONFLICT', 'FORBIDDEN', 'UNAUTHENTICATED', 'RATE_LIMITED', 'BULK_LIMIT', 'REASON_REQUIRED'] as const,
});

function corralErrorType(cls: new (message: string, field?: string) => CorralError, name: string, description: string) {
  builder.objectType(cls, {
    name,
    description,
    interfaces: [ErrorInterface],
    fields: (t) => ({
      code: t.field({ type: ErrorCode, resolve: (e) => e.code }),
      field: t.string({ nullable: true, description: 'The input field at fault', resolve: (e) => e.field ?? null }),
    }),
  });
}

corralErrorType(ValidationError, 'ValidationError', 'The input was refused; nothing was changed.');
corralErrorType(NotFoundError, 'NotFoundError', 'A named host, group, user or object does not exist; nothing was changed.');
corralErrorType(ConflictError, 'ConflictError', 'The change conflicts with existing data (e.g. a duplicate name); nothing was changed.');
corralErrorType(RateLimitedError, 'RateLimitedError', 'Too many attempts; try again later.');

/** The error classes every mutation with typed results catches. */
export const INPUT_ERRORS = [ValidationError, NotFoundError, ConflictError];
