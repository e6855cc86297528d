/**
 * A unique constraint refused a write: better-sqlite3 reports SQLITE_CONSTRAINT_UNIQUE /
 * _PRIMARYKEY, PostgreSQL SQLSTATE 23505. Races (two setups, two registrations with one
 * invite or one username, two agent tokens for one host) end here and become a 409, not a 500.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
