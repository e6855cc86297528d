import { ConfigError, loadConfig } from './core/config/load-config.ts';
import { MigrationError } from './core/database/migrate.ts';
import { createServer, type ServerRole } from './server.ts';

/** `npm start [-- --role=api|worker|all]`: one process, or one replica of many in scale-out mode. */
async function main(): Promise<void> {
  const role = parseRole(process.argv.slice(2));
  const { config, file } = loadConfig();
  const server = await createServer({ config, role });
  const url = await server.listen();
  const mode = config.database.url ? 'PostgreSQL' : `SQLite in ${config.server.data_dir}`;
  server.logger.info({ url, role, config: file ?? '(defaults)', mode }, `Skyy Command listening on ${url}`);
  const stop = async (signal: string) => {
    server.logger.info({ signal }, 'shutting down');
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function parseRole(args: string[]): ServerRole {
  const flag = args.find((a) => a.startsWith('--role='));
  const role = flag?.slice('--role='.length) ?? process.env.SKYY_ROLE ?? 'all';
  if (role !== 'api' && role !== 'worker' && role !== 'all') {
    console.error(`skyy: --role must be api, worker or all (got "${role}")`);
    process.exit(2);
  }
  return role;
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof MigrationError) {
    console.error(error.message);
  } else if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    console.error(`skyy: the port is already in use (${error.message}); set PORT to another one`);
  } else {
    console.error('skyy: failed to start:', error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
