import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { Db, Executor } from '../../core/database/database.ts';
import { DB } from '../../core/tokens.ts';
import type { LoginFailuresTable } from './auth.table.ts';

/**
 * Failed sign-in counters, shared by every replica through the database. A counter starts a
 * new window when its last window is older than the lockout period or its lock has run out.
 */
@Injectable()
export class LoginFailuresRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async find(keys: string[], tx: Executor = this.db.kysely): Promise<LoginFailuresTable[]> {
    if (keys.length === 0) return [];
    return tx.selectFrom('login_failures').selectAll().where('key', 'in', keys).execute();
  }

  /**
   * Counts one failure atomically (INSERT … ON CONFLICT DO UPDATE, the same on SQLite and
   * PostgreSQL), so concurrent failures on several replicas are all counted.
   */
  async increment(key: string, now: string, windowStart: string, tx: Executor): Promise<LoginFailuresTable> {
    // A running lock is never reset by a new window; an expired one always is.
    const fresh = sql<boolean>`((login_failures.locked_until is null and login_failures.window_started_at < ${windowStart}) or login_failures.locked_until <= ${now})`;
    await tx
      .insertInto('login_failures')
      .values({ key, failures: 1, window_started_at: now, last_failed_at: now, locked_until: null })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet({
          failures: sql<number>`case when ${fresh} then 1 else login_failures.failures + 1 end`,
          window_started_at: sql<string>`case when ${fresh} then ${now} else login_failures.window_started_at end`,
          locked_until: sql<string | null>`case when ${fresh} then null else login_failures.locked_until end`,
          last_failed_at: now,
        }),
      )
      .execute();
    return tx.selectFrom('login_failures').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
  }

  /** Locks a counter; true only for the call that actually set the lock (audited once). */
  async lock(key: string, until: string, tx: Executor): Promise<boolean> {
    const result = await tx
      .updateTable('login_failures')
      .set({ locked_until: until })
      .where('key', '=', key)
      .where('locked_until', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async clear(key: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('login_failures').where('key', '=', key).execute();
  }

  /** Counters nobody has touched for a while and that hold no lock any more. */
  async deleteStale(before: string, now: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx
      .deleteFrom('login_failures')
      .where('last_failed_at', '<', before)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .execute();
  }
}
