import { randomUUID } from 'node:crypto';
import type { Role } from '@skyy/contracts';
import type { Executor } from '../../core/database/database.ts';
import { Conflict } from '../../core/errors/problems.ts';
import type { UsersTable } from './auth.table.ts';
import type { UsersRepository } from './users.repository.ts';

export interface NewUser {
  username: string;
  email?: string | null;
  passwordHash: string;
  role: Role;
  customerId: string | null;
}

export function newUserRow(input: NewUser, at: string): UsersTable {
  const email = input.email ?? null;
  return {
    id: randomUUID(),
    username: input.username,
    username_key: input.username.toLowerCase(),
    email,
    email_key: email?.toLowerCase() ?? null,
    password_hash: input.passwordHash,
    role: input.role,
    customer_id: input.customerId,
    disabled: 0,
    password_changed_at: at,
    created_at: at,
    updated_at: at,
    last_login_at: null,
  };
}

/** A friendly 409 before the insert; the unique indexes still decide races. */
export async function assertAccountFree(
  users: UsersRepository,
  input: { username: string; email?: string | null },
  tx: Executor,
): Promise<void> {
  const errors = [];
  if (await users.usernameTaken(input.username, tx))
    errors.push({ path: 'body.username', message: 'already taken' });
  if (input.email && (await users.emailTaken(input.email, null, tx)))
    errors.push({ path: 'body.email', message: 'already used by another account' });
  if (errors.length)
    throw new Conflict('An account with that username or e-mail address already exists.', errors);
}

export const accountTaken = (): Conflict =>
  new Conflict('An account with that username or e-mail address already exists.');
