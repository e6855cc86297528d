import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ApiToken, ApiTokenCreate, ApiTokenCreated, ApiTokenList } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { NotFound } from '../../core/errors/problems.ts';
import type { Caller } from '../../core/http/caller.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { ApiTokensRepository } from './api-tokens.repository.ts';
import { addMs, Clock, DAY_MS } from './clock.ts';
import { displayPrefix, newApiTokenSecret, sha256 } from './secret-tokens.ts';

/**
 * Personal API tokens. A token acts as its user, with the user's current role and customer,
 * narrowed to its scopes (`read`: GET/HEAD/OPTIONS only). The secret is shown once.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(ApiTokensRepository) private readonly tokens: ApiTokensRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async list(caller: Caller): Promise<ApiTokenList> {
    return { items: await this.tokens.listActive(caller.userId) };
  }

  async create(caller: Caller, input: ApiTokenCreate): Promise<ApiTokenCreated> {
    return this.db.kysely.transaction().execute(async (tx) => {
      const created = await this.issue(caller.userId, input, tx);
      await this.audit.record(
        caller,
        'token.create',
        { type: 'api_token', id: created.token.id },
        {
          after: created.token,
        },
        tx,
      );
      return created;
    });
  }

  /** Issues a token without auditing; for `create` and for test helpers that set up callers. */
  async issue(userId: string, input: ApiTokenCreate, tx: Executor): Promise<ApiTokenCreated> {
    const secret = newApiTokenSecret();
    const now = this.clock.now();
    const token: ApiToken = await this.tokens.insert(
      {
        id: randomUUID(),
        user_id: userId,
        name: input.name,
        token_hash: sha256(secret),
        prefix: displayPrefix(secret),
        scopes: JSON.stringify(input.scopes),
        created_at: now.toISOString(),
        expires_at: input.expiresInDays ? addMs(now, input.expiresInDays * DAY_MS).toISOString() : null,
        last_used_at: null,
        revoked_at: null,
      },
      tx,
    );
    return { token, secret };
  }

  /** Revoked tokens are refused from the next request on. Only one's own tokens are visible. */
  async revoke(caller: Caller, id: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (tx) => {
      const token = await this.tokens.findOwn(id, caller.userId, tx);
      if (!token || token.revoked_at) throw new NotFound('API token');
      await this.tokens.revoke(id, this.clock.now().toISOString(), tx);
      await this.audit.record(caller, 'token.revoke', { type: 'api_token', id }, { name: token.name }, tx);
    });
  }
}
