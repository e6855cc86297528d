import { sql, type SelectQueryBuilder } from 'kysely';
import { ValidationFailed } from '../errors/problems.ts';

/**
 * Keyset pagination shared by every list: order by (sort column, id) and continue after the
 * last row seen. The cursor is opaque to clients but only carries the last row's sort value
 * and id, so a forged cursor can at worst skip rows the caller may already see.
 */
export interface PageRequest {
  limit: number;
  cursor?: string;
  order: 'asc' | 'desc';
}

interface CursorPayload {
  v: string | number | null;
  id: string;
}

export function encodeCursor(payload: CursorPayload): string {
  return Buffer.from(JSON.stringify(payload)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPayload {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && 'id' in value && typeof value.id === 'string' && 'v' in value) {
      const v = value.v;
      if (v === null || typeof v === 'string' || typeof v === 'number') return { v, id: value.id };
    }
  } catch {
    // fall through to the validation error
  }
  throw new ValidationFailed([{ path: 'query.cursor', message: 'not a cursor this server issued' }]);
}

/**
 * Applies order, cursor and limit (+1 to learn whether another page exists). `column` is a
 * trusted column name from the list query's sort enum, never raw user input.
 */
export function keyset<DB, TB extends keyof DB, O>(
  query: SelectQueryBuilder<DB, TB, O>,
  table: string,
  column: string,
  page: PageRequest,
): SelectQueryBuilder<DB, TB, O> {
  const col = sql.ref(`${table}.${column}`);
  const id = sql.ref(`${table}.id`);
  const dir = page.order === 'desc' ? sql`desc` : sql`asc`;
  let q = query;
  if (page.cursor) {
    const { v, id: lastId } = decodeCursor(page.cursor);
    const cmp = page.order === 'desc' ? sql`<` : sql`>`;
    q = q.where(sql<boolean>`(${col} ${cmp} ${v} or (${col} = ${v} and ${id} ${cmp} ${lastId}))`);
  }
  return q
    .orderBy(sql`${col} ${dir}`)
    .orderBy(sql`${id} ${dir}`)
    .limit(page.limit + 1);
}

/** Cuts the extra row fetched by `keyset` and builds the next cursor from the last row kept. */
export function toPage<Row extends { id: string }, T>(
  rows: Row[],
  page: PageRequest,
  sortValue: (row: Row) => string | number | null,
  map: (row: Row) => T,
  total: number,
): { items: T[]; nextCursor: string | null; total: number } {
  const more = rows.length > page.limit;
  const kept = more ? rows.slice(0, page.limit) : rows;
  const last = kept[kept.length - 1];
  return {
    items: kept.map(map),
    nextCursor: more && last ? encodeCursor({ v: sortValue(last), id: last.id }) : null,
    total,
  };
}
