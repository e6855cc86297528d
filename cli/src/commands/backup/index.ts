import { chmodSync, existsSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CliError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { loadLocalConfig } from '../../local-config.ts';
import { checkNewFile } from '../../named-paths.ts';
import { renderTable } from '../../table.ts';
import { displayPath } from '../../yaml-files.ts';

export interface BackupOptions {
  io: CliIo;
  file: string;
  force?: boolean;
  output: 'text' | 'json';
}

interface TableCount {
  table: string;
  rows: number;
}

/**
 * A consistent copy of the embedded SQLite database, taken while the server keeps running
 * (SQLite's online backup API on a connection of our own). The copy is written under a temp
 * name, checked, and only then renamed, so `file` is either absent or a complete backup.
 */
export async function backup(options: BackupOptions): Promise<number> {
  const { io } = options;
  const local = loadLocalConfig(io);
  if (!local.sqlitePath) {
    throw new CliError(
      'the database is PostgreSQL (DATABASE_URL); skyy backup copies the embedded SQLite database only',
      `use pg_dump: pg_dump --format=custom "$DATABASE_URL" > ${options.file}`,
    );
  }
  if (!existsSync(local.sqlitePath)) {
    throw new CliError(
      `no database at ${local.sqlitePath}`,
      'run skyy where the server runs, or set SKYY_CONFIG / SKYY_DATA_DIR',
    );
  }
  const target = checkNewFile(options.file, io.cwd, { force: options.force === true, canForce: true });

  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.partial`);
  let tables: TableCount[];
  try {
    await copyDatabase(local.sqlitePath, temp);
    tables = finishCopy(temp);
    renameSync(temp, target);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new CliError(
      `backup failed: ${(error as Error).message}`,
      'check free disk space and permissions, then retry',
    );
  }
  const bytes = statSync(target).size;

  if (options.output === 'json') {
    printJson(io, { file: target, source: local.sqlitePath, bytes, tables });
    return 0;
  }
  println(
    io.stdout,
    `backup of ${local.sqlitePath} written to ${displayPath(target, io.cwd)} (${formatBytes(bytes)})`,
  );
  io.stdout.write(
    renderTable(
      ['table', 'rows'],
      tables.map((t) => [t.table, String(t.rows)]),
    ),
  );
  return 0;
}

async function copyDatabase(source: string, destination: string): Promise<void> {
  const db = new SQLite(source, { fileMustExist: true });
  try {
    // The server may hold a write lock for a moment; wait rather than fail.
    db.pragma('busy_timeout = 5000');
    await db.backup(destination);
  } finally {
    db.close();
  }
}

/**
 * Makes the copy a single self-contained file (rollback journal instead of WAL, owner-only:
 * it holds password hashes), checks it, and counts each table's rows.
 */
function finishCopy(file: string): TableCount[] {
  chmodSync(file, 0o600);
  const db = new SQLite(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`the copy failed its integrity check: ${String(check)}`);
    const names = db
      .prepare(
        "select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name",
      )
      .pluck()
      .all() as string[];
    return names.map((table) => ({
      table,
      rows: Number(
        db
          .prepare(`select count(*) from "${table.replaceAll('"', '""')}"`)
          .pluck()
          .get(),
      ),
    }));
  } finally {
    db.close();
  }
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
