import path from 'node:path';
import type { SkyyConfig } from '@skyy/contracts';
import { ConfigError, loadConfig, SQLITE_FILE } from '@skyy/backend';
import { formatYamlIssue } from '@skyy/contracts';
import { CliError } from './errors.ts';
import type { CliIo } from './io.ts';

export interface LocalConfig {
  config: SkyyConfig;
  /** config.yaml it came from, or null on defaults + environment. */
  file: string | null;
  /** Absolute path of the SQLite file, or null when DATABASE_URL points at PostgreSQL. */
  sqlitePath: string | null;
}

/**
 * The same configuration the server reads (config.yaml or SKYY_CONFIG, then env overrides),
 * for commands that work on the database directly. data_dir is resolved from the working directory.
 */
export function loadLocalConfig(io: CliIo): LocalConfig {
  let loaded: ReturnType<typeof loadConfig>;
  try {
    loaded = loadConfig(io.env, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) {
      const [first, ...rest] = error.issues;
      const more = rest.length ? ` (and ${rest.length} more)` : '';
      throw new CliError(
        `invalid configuration: ${first ? formatYamlIssue(first) : error.message}${more}`,
        'fix it, then check with `skyy validate <config.yaml>`',
      );
    }
    throw error;
  }
  const { config, file } = loaded;
  const dataDir = path.resolve(io.cwd, config.server.data_dir);
  config.server.data_dir = dataDir;
  return { config, file, sqlitePath: config.database.url ? null : path.join(dataDir, SQLITE_FILE) };
}

/** Where the database lives, in words, for messages. */
export function describeDatabase(local: LocalConfig): string {
  return local.sqlitePath ? `SQLite ${local.sqlitePath}` : 'PostgreSQL (DATABASE_URL)';
}
