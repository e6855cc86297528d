import { Inject, Injectable } from '@nestjs/common';
import type { Invite, InviteListQuery, Page } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { DB } from '../../core/tokens.ts';
import type { InvitesTable } from './auth.table.ts';

@Injectable()
export class InvitesRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async insert(row: InvitesTable, tx: Executor = this.db.kysely): Promise<void> {
    await tx.insertInto('invites').values(row).execute();
  }

  find(id: string, tx: Executor = this.db.kysely): Promise<InvitesTable | undefined> {
    return tx.selectFrom('invites').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByHash(tokenHash: string, tx: Executor = this.db.kysely): Promise<InvitesTable | undefined> {
    return tx.selectFrom('invites').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
  }

  async page(query: InviteListQuery, now: string): Promise<Page<Invite>> {
    let base = this.db.kysely.selectFrom('invites');
    switch (query.status) {
      case 'used':
        base = base.where('used_at', 'is not', null);
        break;
      case 'revoked':
        base = base.where('used_at', 'is', null).where('revoked_at', 'is not', null);
        break;
      case 'expired':
        base = base
          .where('used_at', 'is', null)
          .where('revoked_at', 'is', null)
          .where('expires_at', '<=', now);
        break;
      case 'pending':
        base = base
          .where('used_at', 'is', null)
          .where('revoked_at', 'is', null)
          .where('expires_at', '>', now);
        break;
    }
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'invites', 'created_at', query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(
      rows,
      query,
      (r) => r.created_at,
      (r) => toInvite(r, now),
      Number(count.n),
    );
  }

  /**
   * Spends the invite. The conditions are re-checked by the UPDATE itself, so of two
   * registrations racing for one invite exactly one sees a row change.
   */
  async markUsed(id: string, userId: string, now: string, tx: Executor): Promise<boolean> {
    const result = await tx
      .updateTable('invites')
      .set({ used_at: now, used_by: userId })
      .where('id', '=', id)
      .where('used_at', 'is', null)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async revoke(id: string, now: string, tx: Executor): Promise<void> {
    await tx.updateTable('invites').set({ revoked_at: now }).where('id', '=', id).execute();
  }
}

export function inviteStatus(row: InvitesTable, now: string): Invite['status'] {
  if (row.used_at) return 'used';
  if (row.revoked_at) return 'revoked';
  return row.expires_at <= now ? 'expired' : 'pending';
}

export function toInvite(row: InvitesTable, now: string): Invite {
  return {
    id: row.id,
    role: row.role,
    customerId: row.customer_id,
    email: row.email,
    createdBy: row.created_by,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    usedAt: row.used_at,
    usedBy: row.used_by,
    revokedAt: row.revoked_at,
    status: inviteStatus(row, now),
  };
}
