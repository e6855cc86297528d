import { Inject, Injectable } from '@nestjs/common';
import type { Db, Executor } from '../../core/database/database.ts';
import { DB } from '../../core/tokens.ts';
import type { SessionsTable, UsersTable } from './auth.table.ts';

export interface SessionWithUser {
  session: SessionsTable;
  user: Pick<UsersTable, 'id' | 'username' | 'role' | 'customer_id' | 'disabled'>;
}

@Injectable()
export class SessionsRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async insert(row: SessionsTable, tx: Executor = this.db.kysely): Promise<void> {
    await tx.insertInto('sessions').values(row).execute();
  }

  async findWithUser(id: string): Promise<SessionWithUser | undefined> {
    const row = await this.db.kysely
      .selectFrom('sessions')
      .innerJoin('users', 'users.id', 'sessions.user_id')
      .selectAll('sessions')
      .select([
        'users.username as u_username',
        'users.role as u_role',
        'users.customer_id as u_customer_id',
        'users.disabled as u_disabled',
      ])
      .where('sessions.id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const { u_username, u_role, u_customer_id, u_disabled, ...session } = row;
    return {
      session,
      user: {
        id: session.user_id,
        username: u_username,
        role: u_role,
        customer_id: u_customer_id,
        disabled: u_disabled,
      },
    };
  }

  async find(id: string): Promise<SessionsTable | undefined> {
    return this.db.kysely.selectFrom('sessions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Sliding expiry: each (throttled) touch pushes the end of the session forward. */
  async touch(id: string, lastSeenAt: string, expiresAt: string): Promise<void> {
    await this.db.kysely
      .updateTable('sessions')
      .set({ last_seen_at: lastSeenAt, expires_at: expiresAt })
      .where('id', '=', id)
      .execute();
  }

  async delete(id: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('sessions').where('id', '=', id).execute();
  }

  /** Ends every session of a user, or every one but `exceptId` (the caller's own). */
  async deleteForUser(
    userId: string,
    exceptId: string | null,
    tx: Executor = this.db.kysely,
  ): Promise<number> {
    let q = tx.deleteFrom('sessions').where('user_id', '=', userId);
    if (exceptId) q = q.where('id', '<>', exceptId);
    const result = await q.executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async deleteExpired(now: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
