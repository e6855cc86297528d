import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { skyyConfigSchema } from '@skyy/contracts';
import pg from 'pg';
import { postgresUrl } from '../../../backend/test/test-databases.ts';
import { createLogger, createServer, SecretBox, type Dialect, type SkyyServer } from '@skyy/backend';
import { runCli } from './run-cli.ts';

export interface CliTestServer {
  server: SkyyServer;
  /** http://127.0.0.1:<port> */
  url: string;
  /**
   * The environment that points `skyy admin create` / `skyy backup` at the server's own
   * database, plus a private XDG_CONFIG_HOME/HOME for the credentials file.
   */
  env: Record<string, string>;
  /** A scratch directory, also the CLI's working directory in tests. */
  workDir: string;
  close(): Promise<void>;
}

/**
 * The real server, listening on a loopback port, on a fresh database the CLI can reach through
 * its ordinary configuration: a temp SQLite data dir, or on PostgreSQL a whole new database
 * (the backend harness isolates tests in a schema, which DATABASE_URL cannot name).
 */
export async function startCliTestServer(dialect: Dialect): Promise<CliTestServer> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'skyy-cli-'));
  const dataDir = path.join(workDir, 'data');
  const pgDatabase = dialect === 'postgres' ? await createPostgresDatabase() : null;

  const base = skyyConfigSchema.parse({});
  const config = {
    ...base,
    server: { ...base.server, data_dir: dataDir, host: '127.0.0.1', port: 0 },
    database: { url: pgDatabase?.url },
  };
  const server = await createServer({
    config,
    database: { url: pgDatabase?.url, dataDir },
    secrets: SecretBox.forTests(),
    logger: createLogger({ level: 'silent' }),
    env: {},
  });
  const url = await server.listen();
  const env: Record<string, string> = {
    HOME: workDir,
    XDG_CONFIG_HOME: path.join(workDir, 'config'),
    SKYY_DATA_DIR: dataDir,
    ...(pgDatabase ? { DATABASE_URL: pgDatabase.url } : {}),
  };
  return {
    server,
    url: url.replace('[::1]', '127.0.0.1'),
    env,
    workDir,
    async close() {
      await server.close();
      await pgDatabase?.drop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgresUrl();
  if (!admin) throw new Error('PostgreSQL tests need DATABASE_URL');
  const name = `skyy_cli_${randomBytes(6).toString('hex')}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`create database ${name}`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

export const ADMIN = {
  username: 'alice',
  email: 'alice@example.com',
  password: 'correct horse battery staple',
};

/** `skyy` bound to a test server's environment and scratch directory. */
export function cliFor(t: CliTestServer) {
  return (argv: string[], options: { stdin?: string; env?: Record<string, string | undefined> } = {}) =>
    runCli(argv, { cwd: t.workDir, stdin: options.stdin, env: { ...t.env, ...options.env } });
}

/** The first admin created with `skyy admin create`, then `skyy login` as that admin. */
export async function adminLoggedIn(t: CliTestServer): Promise<void> {
  const skyy = cliFor(t);
  const created = await skyy(
    ['admin', 'create', '--username', ADMIN.username, '--email', ADMIN.email, '--password-stdin'],
    { stdin: `${ADMIN.password}\n` },
  );
  if (created.code !== 0) throw new Error(`admin create failed: ${created.stderr}`);
  const login = await skyy(['login', t.url, '--username', ADMIN.username, '--password-stdin'], {
    stdin: ADMIN.password,
  });
  if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
}
