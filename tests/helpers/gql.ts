/** Small helpers for asserting GraphQL responses. */
import { expect } from 'vitest';

export function errorCodes(r: { errors?: { extensions?: Record<string, unknown> }[] }): unknown[] {
  return (r.errors ?? []).map((e) => e.extensions?.code);
}

export function expectCode(r: { errors?: { message: string; extensions?: Record<string, unknown> }[] }, code: string): void {
  expect(r.errors, JSON.stringify(r)).toBeDefined();
  expect(errorCodes(r), JSON.stringify(r.errors)).toContain(code);
}
