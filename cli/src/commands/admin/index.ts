import {
  AdminExistsError,
  createFirstAdmin,
  FirstAdminInputError,
  migrateToLatest,
  MigrationError,
  openDatabase,
} from '@skyy/backend';
import { CliError, UsageError } from '../../errors.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { describeDatabase, loadLocalConfig } from '../../local-config.ts';
import { isInteractive, promptLine, readNewPassword, requireValue } from '../../prompt.ts';

export interface AdminCreateOptions {
  io: CliIo;
  username?: string;
  email?: string;
  passwordStdin?: boolean;
  output: 'text' | 'json';
}

/**
 * Creates the first admin straight in the configured database: how a fresh install gets its
 * first account from the machine it runs on. Safe while the server runs (WAL + busy timeout;
 * createFirstAdmin's setup claim stops a concurrent web setup from making a second admin).
 */
export async function adminCreate(options: AdminCreateOptions): Promise<number> {
  const { io } = options;
  const local = loadLocalConfig(io);
  const username = await requireValue(io, options.username, '--username', 'Username: ');
  // Optional (it is where password-reset mail goes), so only asked for on a terminal.
  const email =
    options.email ??
    (isInteractive(io) && !options.passwordStdin ? await promptLine(io, 'Email (optional): ') : '');
  const password = await readNewPassword(io, options.passwordStdin === true);

  const db = openDatabase({ url: local.config.database.url, dataDir: local.config.server.data_dir });
  try {
    await migrateToLatest(db);
    const admin = await createFirstAdmin(
      db,
      { username, password, ...(email ? { email } : {}) },
      { passwordMinLength: local.config.auth.password_min_length, requestId: 'skyy-admin-create' },
    );
    if (options.output === 'json') {
      printJson(io, { id: admin.id, username: admin.username, email: email || null, role: 'admin' });
    } else {
      println(io.stdout, `created admin "${admin.username}" in ${describeDatabase(local)}`);
      println(io.stdout, 'sign in on the web console, or run `skyy login <url>`');
    }
    return 0;
  } catch (error) {
    if (error instanceof AdminExistsError) {
      throw new CliError(
        'an account already exists, so there is no first admin to create',
        'sign in as an admin and invite people from the console',
      );
    }
    if (error instanceof FirstAdminInputError) {
      const reasons = error.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
      throw new UsageError(`cannot create the admin (${reasons})`, 'run the command again with valid values');
    }
    if (error instanceof MigrationError) throw new CliError(error.message, 'check DATABASE_URL / data_dir');
    throw error;
  } finally {
    await db.close();
  }
}
