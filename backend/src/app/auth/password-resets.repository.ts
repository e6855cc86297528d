import { Inject, Injectable } from '@nestjs/common';
import type { Db, Executor } from '../../core/database/database.ts';
import { DB } from '../../core/tokens.ts';
import type { PasswordResetsTable } from './auth.table.ts';

@Injectable()
export class PasswordResetsRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async insert(row: PasswordResetsTable, tx: Executor = this.db.kysely): Promise<void> {
    await tx.insertInto('password_resets').values(row).execute();
  }

  find(tokenHash: string, tx: Executor = this.db.kysely): Promise<PasswordResetsTable | undefined> {
    return tx
      .selectFrom('password_resets')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
  }

  async countSince(userId: string, since: string, tx: Executor = this.db.kysely): Promise<number> {
    const row = await tx
      .selectFrom('password_resets')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('user_id', '=', userId)
      .where('created_at', '>', since)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Single use, race-safe: the UPDATE re-checks that the token is still unused and unexpired. */
  async markUsed(tokenHash: string, now: string, tx: Executor): Promise<boolean> {
    const result = await tx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('token_hash', '=', tokenHash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** A new password makes every other reset link of the user worthless. */
  async spendAllForUser(userId: string, now: string, tx: Executor): Promise<void> {
    await tx
      .updateTable('password_resets')
      .set({ used_at: now })
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
  }

  async deleteStale(before: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('password_resets').where('expires_at', '<=', before).execute();
  }
}
