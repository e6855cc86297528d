import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';

export type Dialect = 'sqlite' | 'postgres';

/** The embedded database's file name inside the data dir. */
export const SQLITE_FILE = 'skyy.db';

export interface DatabaseOptions {
  /** postgres://… ; absent means embedded SQLite in `dataDir`. */
  url?: string;
  dataDir: string;
  /** SQLite file name inside dataDir (tests use ':memory:' or a temp dir). */
  sqliteFile?: string;
  /** PostgreSQL schema to use (tests isolate themselves in a fresh schema). */
  pgSchema?: string;
  poolSize?: number;
}

/** Anything a repository can run SQL on: the database or an open transaction. */
export type Executor = Kysely<Database> | Transaction<Database>;

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: Dialect;
  /** Path of the SQLite file, for `skyy backup`; null on PostgreSQL. */
  readonly sqlitePath: string | null;
  /** PostgreSQL schema holding our tables (`public` unless tests isolate themselves); null on SQLite. */
  readonly pgSchema: string | null;
  close(): Promise<void>;
}

export function openDatabase(options: DatabaseOptions): Db {
  if (options.url) return openPostgres(options.url, options.pgSchema, options.poolSize);
  const file = options.sqliteFile ?? SQLITE_FILE;
  let sqlitePath: string | null = null;
  if (file !== ':memory:') {
    mkdirSync(options.dataDir, { recursive: true });
    sqlitePath = path.resolve(options.dataDir, file);
  }
  const sqlite = new SQLite(sqlitePath ?? ':memory:');
  // WAL lets readers run during a write; busy_timeout makes a second process (skyy backup,
  // a CLI) wait for a lock instead of failing; foreign keys are off by default in SQLite.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('synchronous = NORMAL');
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  return { kysely, dialect: 'sqlite', sqlitePath, pgSchema: null, close: () => kysely.destroy() };
}

function openPostgres(url: string, schema: string | undefined, poolSize = 10): Db {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    // Each connection works in the test schema when one is given, so tests never collide.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection closed by the server (restart, failover, admin) must not crash the process:
  // the pool drops it and the next query opens a new one.
  pool.on('error', () => undefined);
  const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    kysely,
    dialect: 'postgres',
    sqlitePath: null,
    pgSchema: schema ?? 'public',
    close: () => kysely.destroy(),
  };
}

/** Rows store booleans as 0/1 on both dialects so the same queries work everywhere. */
export const toFlag = (value: boolean): number => (value ? 1 : 0);
export const fromFlag = (value: number | boolean | null | undefined): boolean =>
  value === 1 || value === true;

/** Timestamps are ISO-8601 UTC text on both dialects: sortable as strings, identical on the wire. */
export const now = (): string => new Date().toISOString();
