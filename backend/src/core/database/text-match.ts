import { sql, type RawBuilder } from 'kysely';

/**
 * Case-insensitive substring and prefix filters that behave the same on SQLite and PostgreSQL:
 * both sides lower-cased (SQLite's LIKE ignores ASCII case, PostgreSQL's does not) and the
 * user's `%`, `_` and `\` matched literally through an explicit ESCAPE (SQLite has no default).
 * `column` is a trusted column reference, never user input.
 */
export function containsText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${`%${escapeLike(text.toLowerCase())}%`} escape '\\'`;
}

export function startsWithText(column: string, text: string): RawBuilder<boolean> {
  return sql<boolean>`lower(${sql.ref(column)}) like ${`${escapeLike(text.toLowerCase())}%`} escape '\\'`;
}

function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}
