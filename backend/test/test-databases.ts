import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseOptions, Dialect } from '../src/core/database/database.ts';

/**
 * The dialects repository and API tests run on: SQLite always, PostgreSQL when
 * DATABASE_URL (or SKYY_TEST_POSTGRES_URL) is set, as CI does.
 */
export function testDatabases(): Dialect[] {
  return postgresUrl() ? ['sqlite', 'postgres'] : ['sqlite'];
}

export function postgresUrl(): string | undefined {
  return process.env.SKYY_TEST_POSTGRES_URL ?? process.env.DATABASE_URL;
}

export interface TestDatabase {
  options: Partial<DatabaseOptions> & { url?: string };
  drop(): Promise<void>;
}

/** A fresh, empty database: a temp SQLite file, or a new PostgreSQL schema dropped afterwards. */
export async function createTestDatabase(
  dialect: Dialect,
  dataDir: string,
  poolSize = 4,
): Promise<TestDatabase> {
  if (dialect === 'sqlite') return { options: { url: undefined, dataDir }, drop: async () => {} };
  const url = postgresUrl();
  if (!url) throw new Error('PostgreSQL tests need DATABASE_URL');
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    options: { url, dataDir, pgSchema: schema, poolSize },
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    },
  };
}
