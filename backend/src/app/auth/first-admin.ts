import { z } from 'zod';
import { usernameSchema } from '@skyy/contracts';
import type { Db } from '../../core/database/database.ts';
import type { Caller } from '../../core/http/caller.ts';
import { AuditRepository } from '../audit/audit.repository.ts';
import { AuditService } from '../audit/audit.service.ts';
import { isUniqueViolation } from '../../core/database/db-errors.ts';
import { newUserRow } from './new-user.ts';
import { DEFAULT_PASSWORD_MIN_LENGTH, hashPassword, passwordProblems } from './passwords.ts';
import { UsersRepository } from './users.repository.ts';

/** There is already a user: first-run setup is over (sign in, or ask an admin for an invite). */
export class AdminExistsError extends Error {
  constructor() {
    super('Setup is already done: an account exists. Sign in, or ask an administrator for an invite.');
    this.name = 'AdminExistsError';
  }
}

/** The username, e-mail or password was refused; `errors` name the field and the reason. */
export class FirstAdminInputError extends Error {
  constructor(readonly errors: { path: string; message: string }[]) {
    super(`cannot create the administrator: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`);
    this.name = 'FirstAdminInputError';
  }
}

export interface FirstAdminOptions {
  /** config.auth.password_min_length; the CLI passes it from config.yaml. */
  passwordMinLength?: number;
  now?: Date;
  /** Where the request came from, for the audit log (defaults describe a local CLI run). */
  ip?: string;
  requestId?: string;
}

const emailSchema = z.email();

/**
 * Creates the first administrator, only while no user exists. Works straight on the database
 * (the `skyy admin create` CLI) as well as behind POST /api/v1/auth/setup, also while a server
 * is running: the one-row `auth_setup` claim makes concurrent attempts (other replicas, the
 * CLI) fail with AdminExistsError instead of creating two admins.
 */
export async function createFirstAdmin(
  db: Db,
  input: { username: string; email?: string; password: string },
  options: FirstAdminOptions = {},
): Promise<{ id: string; username: string }> {
  const username = usernameSchema.safeParse(input.username);
  const email = input.email === undefined ? undefined : emailSchema.safeParse(input.email);
  const errors = [
    ...(username.success ? [] : username.error.issues.map((i) => ({ path: 'username', message: i.message }))),
    ...(email && !email.success ? [{ path: 'email', message: 'not an e-mail address' }] : []),
    ...passwordProblems(
      input.password,
      input.username,
      options.passwordMinLength ?? DEFAULT_PASSWORD_MIN_LENGTH,
    ).map((message) => ({ path: 'password', message })),
  ];
  if (errors.length || !username.success) throw new FirstAdminInputError(errors);

  const users = new UsersRepository(db);
  const audit = new AuditService(new AuditRepository(db));
  if ((await users.count()) > 0) throw new AdminExistsError();
  // Hash outside the transaction: on SQLite a transaction holds the only connection.
  const passwordHash = await hashPassword(input.password);
  const at = (options.now ?? new Date()).toISOString();
  const row = newUserRow(
    { username: username.data, email: email?.data ?? null, passwordHash, role: 'admin', customerId: null },
    at,
  );
  try {
    await db.kysely.transaction().execute(async (tx) => {
      await users.claimSetup(row.id, at, tx);
      if ((await users.count(tx)) > 0) throw new AdminExistsError();
      await users.insert(row, tx);
      const actor: Caller = {
        userId: row.id,
        username: row.username,
        role: 'admin',
        customerId: null,
        via: 'session',
        sessionId: null,
        tokenId: null,
        scopes: ['read', 'write'],
        ip: options.ip ?? 'local',
        requestId: options.requestId ?? 'skyy-cli',
      };
      await audit.record(
        actor,
        'auth.setup',
        { type: 'user', id: row.id },
        { username: row.username, email: row.email },
        tx,
      );
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AdminExistsError();
    throw error;
  }
  return { id: row.id, username: row.username };
}
