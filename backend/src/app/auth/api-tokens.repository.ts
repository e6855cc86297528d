import { Inject, Injectable } from '@nestjs/common';
import type { ApiToken } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import type { TokenScope } from '../../core/http/caller.ts';
import { DB } from '../../core/tokens.ts';
import type { ApiTokensTable, UsersTable } from './auth.table.ts';

export interface TokenWithUser {
  token: ApiTokensTable;
  user: Pick<UsersTable, 'id' | 'username' | 'role' | 'customer_id' | 'disabled'>;
}

@Injectable()
export class ApiTokensRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async insert(row: ApiTokensTable, tx: Executor = this.db.kysely): Promise<ApiToken> {
    await tx.insertInto('api_tokens').values(row).execute();
    return toApiToken(row);
  }

  async findWithUserByHash(tokenHash: string): Promise<TokenWithUser | undefined> {
    const row = await this.db.kysely
      .selectFrom('api_tokens')
      .innerJoin('users', 'users.id', 'api_tokens.user_id')
      .selectAll('api_tokens')
      .select([
        'users.username as u_username',
        'users.role as u_role',
        'users.customer_id as u_customer_id',
        'users.disabled as u_disabled',
      ])
      .where('api_tokens.token_hash', '=', tokenHash)
      .executeTakeFirst();
    if (!row) return undefined;
    const { u_username, u_role, u_customer_id, u_disabled, ...token } = row;
    return {
      token,
      user: {
        id: token.user_id,
        username: u_username,
        role: u_role,
        customer_id: u_customer_id,
        disabled: u_disabled,
      },
    };
  }

  async touch(id: string, at: string): Promise<void> {
    await this.db.kysely.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
  }

  /** A user's tokens that still count (not revoked), newest first. */
  async listActive(userId: string): Promise<ApiToken[]> {
    const rows = await this.db.kysely
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toApiToken);
  }

  findOwn(id: string, userId: string, tx: Executor = this.db.kysely): Promise<ApiTokensTable | undefined> {
    return tx
      .selectFrom('api_tokens')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
  }

  async revoke(id: string, at: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx
      .updateTable('api_tokens')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }
}

export function toApiToken(row: ApiTokensTable): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: parseScopes(row.scopes),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Stored JSON; anything unexpected means no scope at all rather than failing open. */
export function parseScopes(stored: string): TokenScope[] {
  try {
    const value: unknown = JSON.parse(stored);
    if (Array.isArray(value) && value.includes('read'))
      return value.includes('write') ? ['read', 'write'] : ['read'];
  } catch {
    // fall through
  }
  return [];
}
