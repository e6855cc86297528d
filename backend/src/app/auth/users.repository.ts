import { Inject, Injectable } from '@nestjs/common';
import type { Page, User, UserListQuery } from '@skyy/contracts';
import { fromFlag, type Db, type Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { containsText } from '../../core/database/text-match.ts';
import { DB } from '../../core/tokens.ts';
import type { UsersTable } from './auth.table.ts';

/** The only place users are read and written. Rows carry the password hash; `toUser` drops it. */
@Injectable()
export class UsersRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  get dialect(): Db['dialect'] {
    return this.db.dialect;
  }

  async count(tx: Executor = this.db.kysely): Promise<number> {
    const row = await tx
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * The one-row claim of first-run setup. Its primary key makes a second claim fail, also when
   * it comes from another replica or the CLI at the same moment (PostgreSQL makes it wait for
   * the first transaction, then fail).
   */
  async claimSetup(userId: string, at: string, tx: Executor): Promise<void> {
    await tx
      .insertInto('auth_setup')
      .values({ id: 'first-admin', user_id: userId, claimed_at: at })
      .execute();
  }

  async insert(row: UsersTable, tx: Executor = this.db.kysely): Promise<User> {
    await tx.insertInto('users').values(row).execute();
    return toUser(row);
  }

  find(id: string, tx: Executor = this.db.kysely): Promise<UsersTable | undefined> {
    return tx.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Sign-in and password reset accept a username or an e-mail address, case-insensitively. */
  findByLogin(login: string, tx: Executor = this.db.kysely): Promise<UsersTable | undefined> {
    const key = login.trim().toLowerCase();
    const column = key.includes('@') ? 'email_key' : 'username_key';
    return tx.selectFrom('users').selectAll().where(column, '=', key).executeTakeFirst();
  }

  async usernameTaken(username: string, tx: Executor = this.db.kysely): Promise<boolean> {
    const row = await tx
      .selectFrom('users')
      .select('id')
      .where('username_key', '=', username.toLowerCase())
      .executeTakeFirst();
    return row !== undefined;
  }

  async emailTaken(email: string, exceptId: string | null, tx: Executor = this.db.kysely): Promise<boolean> {
    let q = tx.selectFrom('users').select('id').where('email_key', '=', email.toLowerCase());
    if (exceptId) q = q.where('id', '<>', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async page(query: UserListQuery): Promise<Page<User>> {
    let base = this.db.kysely.selectFrom('users');
    if (query.q) {
      const text = query.q;
      base = base.where((eb) =>
        eb.or([containsText('users.username_key', text), containsText('users.email_key', text)]),
      );
    }
    if (query.role) base = base.where('role', '=', query.role);
    if (query.customerId) base = base.where('customer_id', '=', query.customerId);
    if (query.disabled !== undefined) base = base.where('disabled', '=', query.disabled ? 1 : 0);
    const column = query.sort === 'username' ? 'username_key' : 'created_at';
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'users', column, query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r[column], toUser, Number(count.n));
  }

  async update(id: string, patch: Partial<UsersTable>, tx: Executor = this.db.kysely): Promise<void> {
    await tx.updateTable('users').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('users').where('id', '=', id).execute();
  }

  /**
   * Active admins other than `exceptId`. On PostgreSQL their rows are locked for the rest of
   * the transaction, so two admins demoting each other at once cannot leave none behind
   * (SQLite runs one write transaction at a time, which gives the same guarantee).
   */
  async otherActiveAdmins(exceptId: string, tx: Executor): Promise<number> {
    const q = tx
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .where('id', '<>', exceptId);
    const rows = await (this.db.dialect === 'postgres' ? q.forUpdate() : q).execute();
    return rows.length;
  }
}

export function toUser(row: UsersTable): User {
  return {
    id: row.id,
    username: row.username,
    email: row.email,
    role: row.role,
    customerId: row.customer_id,
    disabled: fromFlag(row.disabled),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastLoginAt: row.last_login_at,
    passwordChangedAt: row.password_changed_at,
  };
}
