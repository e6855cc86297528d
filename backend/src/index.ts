/**
 * What other workspaces (the CLI, scripts, benchmarks) may use of the backend without reaching
 * into its folders: building a server, reading the configuration, opening and migrating the
 * database, and creating the first administrator.
 */
export { createServer, type ServerOptions, type ServerRole, type SkyyServer } from './server.ts';
export { ConfigError, loadConfig, resolveSecretRef, type LoadedConfig } from './core/config/load-config.ts';
export {
  openDatabase,
  SQLITE_FILE,
  type Db,
  type Dialect,
  type DatabaseOptions,
} from './core/database/database.ts';
export { migrateToLatest, MigrationError } from './core/database/migrate.ts';
export { createLogger } from './core/logging/logger.ts';
export { SecretBox } from './core/secrets/secret-box.ts';
export { AdminExistsError, createFirstAdmin, FirstAdminInputError } from './app/auth/first-admin.ts';
