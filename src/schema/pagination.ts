/** Keyset cursors (opaque base64url of the sort key) and page size bounds. */
import { asc, gt, type InferSelectModel } from 'drizzle-orm';
import type { AnyPgColumn, PgTable } from 'drizzle-orm/pg-core';
import { ValidationError } from '../core/errors.js';
import type { Db } from '../db/client.js';
import { DEFAULT_PAGE, MAX_PAGE } from './limits.js';

export function encodeCursor(key: string | number): string {
  return Buffer.from(String(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): string | null {
  if (cursor == null) return null;
  const s = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!s || encodeCursor(s) !== cursor) throw new ValidationError('invalid cursor', 'after');
  return s;
}

export function pageSize(first: number | null | undefined, max = MAX_PAGE): number {
  if (first == null) return Math.min(DEFAULT_PAGE, max);
  if (!Number.isInteger(first) || first < 0 || first > max) throw new ValidationError(`first must be between 0 and ${max}`, 'first');
  return first;
}

/** The connection shape for a keyset page: `rows` were fetched with limit + 1 to know if more follow. */
export function keysetConnection<T>(rows: T[], limit: number, after: string | null, keyOf: (row: T) => string | number) {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    edges: page.map((node) => ({ cursor: encodeCursor(keyOf(node)), node })),
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage: after !== null,
      startCursor: page[0] ? encodeCursor(keyOf(page[0])) : null,
      endCursor: last ? encodeCursor(keyOf(last)) : null,
    },
  };
}

/** One page of a table ordered by its unique `name` (groups, checks, agents, projects). */
export async function pageByName<T extends PgTable & { name: AnyPgColumn }>(db: Db, table: T, args: { first?: number | null; after?: string | null }) {
  const limit = pageSize(args.first);
  const after = decodeCursor(args.after);
  const rows = (await db
    .select()
    .from(table as PgTable)
    .where(after !== null ? gt(table.name, after) : undefined)
    .orderBy(asc(table.name))
    .limit(limit + 1)) as InferSelectModel<T>[];
  return keysetConnection(rows, limit, after, (r) => (r as { name: string }).name);
}
