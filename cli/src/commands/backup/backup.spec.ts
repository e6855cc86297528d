import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminLoggedIn,
  cliFor,
  startCliTestServer,
  type CliTestServer,
} from '../../testing/cli-test-server.ts';
import { runCli } from '../../testing/run-cli.ts';

const referenceHosts = path.resolve(
  import.meta.dirname,
  '../../../test/fixtures/reference/desired_state/hosts_local',
);

describe('skyy backup on sqlite, while the server runs', () => {
  let t: CliTestServer;
  let skyy: ReturnType<typeof cliFor>;
  beforeAll(async () => {
    t = await startCliTestServer('sqlite');
    skyy = cliFor(t);
    await adminLoggedIn(t);
    cpSync(referenceHosts, path.join(t.workDir, 'hosts_local'), { recursive: true });
    expect((await skyy(['hosts', 'import', 'hosts_local'])).code).toBe(0);
  });
  afterAll(() => t.close());

  const liveCount = async (table: string) => {
    const { rows } = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(
      t.server.db.kysely,
    );
    return Number(rows[0]?.n);
  };

  it('writes a readable copy with the same rows and prints their counts', async () => {
    const run = await skyy(['backup', 'skyy-backup.db']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const file = path.join(t.workDir, 'skyy-backup.db');
    expect(run.stdout).toMatch(/^backup of .*skyy\.db written to skyy-backup\.db \(\d+\.\d KiB\)\n/);
    expect(run.stdout).toMatch(/^hosts\s+4$/m);
    expect(run.stdout).toMatch(/^users\s+1$/m);

    const copy = new SQLite(file, { readonly: true, fileMustExist: true });
    try {
      for (const table of ['hosts', 'host_labels', 'users', 'audit_log']) {
        const rows = Number(copy.prepare(`select count(*) from ${table}`).pluck().get());
        expect([table, rows]).toEqual([table, await liveCount(table)]);
      }
      const hostnames = copy.prepare('select hostname from hosts order by hostname').pluck().all();
      expect(hostnames).toEqual([
        'puma-proxmox-005',
        'puma-proxmox-006',
        'puma-proxmox-007',
        'puma-proxmox-008',
      ]);
    } finally {
      copy.close();
    }
    // It holds password hashes: owner-only, one self-contained file, no temp file left behind.
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(t.workDir).filter((f) => f.includes('skyy-backup'))).toEqual(['skyy-backup.db']);
  });

  it('refuses to overwrite an existing file unless --force is given', async () => {
    writeFileSync(path.join(t.workDir, 'precious.db'), 'keep me');
    const refused = await skyy(['backup', 'precious.db']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'skyy: precious.db already exists — choose another file name, or pass --force to overwrite it\n',
    );
    expect(statSync(path.join(t.workDir, 'precious.db')).size).toBe('keep me'.length);

    const forced = await skyy(['backup', 'precious.db', '--force', '--output', 'json']);
    expect(forced.code).toBe(0);
    const report = forced.json<{ bytes: number; tables: { table: string; rows: number }[] }>();
    expect(report.tables).toContainEqual({ table: 'hosts', rows: 4 });
    expect(statSync(path.join(t.workDir, 'precious.db')).size).toBe(report.bytes);
  });

  it('says so when there is no database at the configured place', async () => {
    const run = await skyy(['backup', 'x.db'], { env: { SKYY_DATA_DIR: path.join(t.workDir, 'empty') } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^skyy: no database at .*empty\/skyy\.db — /);
    expect(existsSync(path.join(t.workDir, 'empty'))).toBe(false);
  });
});

describe('skyy backup with PostgreSQL configured', () => {
  it('explains that pg_dump is the tool and exits 1, without touching the database', async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'skyy-backup-pg-'));
    try {
      // Nothing listens on port 9: the command must decide from the configuration alone.
      const run = await runCli(['backup', 'dump.db'], {
        cwd,
        env: { DATABASE_URL: 'postgres://skyy@127.0.0.1:9/skyy' },
      });
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(
        'skyy: the database is PostgreSQL (DATABASE_URL); skyy backup copies the embedded SQLite database only — use pg_dump: pg_dump --format=custom "$DATABASE_URL" > dump.db\n',
      );
      expect(existsSync(path.join(cwd, 'dump.db'))).toBe(false);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
