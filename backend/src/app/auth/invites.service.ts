import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Invite, InviteCreate, InviteCreated, InviteListQuery, Page, SkyyConfig } from '@skyy/contracts';
import type { Logger } from 'pino';
import type { Db } from '../../core/database/database.ts';
import { Conflict, NotFound } from '../../core/errors/problems.ts';
import type { Caller } from '../../core/http/caller.ts';
import { Mailer } from '../../core/mail/mailer.ts';
import { CONFIG, DB, LOGGER } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { CustomersRepository } from '../customers/customers.repository.ts';
import { inviteMail } from './auth-mails.ts';
import { addMs, Clock, HOUR_MS } from './clock.ts';
import { InvitesRepository, toInvite } from './invites.repository.ts';
import { randomSecret, sha256 } from './secret-tokens.ts';

/** Admins invite people: the link carries a random token, of which only the hash is stored. */
@Injectable()
export class InvitesService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(InvitesRepository) private readonly invites: InvitesRepository,
    @Inject(CustomersRepository) private readonly customers: CustomersRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(caller: Caller, input: InviteCreate, baseUrl: string): Promise<InviteCreated> {
    const token = randomSecret();
    const now = this.clock.now();
    const row = {
      id: randomUUID(),
      token_hash: sha256(token),
      role: input.role,
      customer_id: input.customerId ?? null,
      email: input.email ?? null,
      created_by: caller.userId,
      created_at: now.toISOString(),
      expires_at: addMs(now, input.expiresInHours * HOUR_MS).toISOString(),
      used_at: null,
      used_by: null,
      revoked_at: null,
    };
    const customerName = await this.db.kysely.transaction().execute(async (tx) => {
      const customer = row.customer_id ? await this.customers.find(row.customer_id, null, tx) : undefined;
      if (row.customer_id && !customer) throw new NotFound('Customer');
      await this.invites.insert(row, tx);
      const invite = toInvite(row, row.created_at);
      await this.audit.record(
        caller,
        'invite.create',
        { type: 'invite', id: row.id, customerId: row.customer_id },
        {
          after: invite,
        },
        tx,
      );
      return customer?.name ?? null;
    });
    const url = `${baseUrl}/register?invite=${token}`;
    let mailed = false;
    if (row.email) {
      try {
        await this.mailer.send(
          inviteMail({
            to: row.email,
            organization: this.config.main.organization,
            url,
            role: row.role,
            customerName,
            expiresAt: row.expires_at,
          }),
        );
        mailed = true;
      } catch (error) {
        // The invite stands; the admin still has the link to pass on by hand.
        this.logger.warn({ err: error, inviteId: row.id }, 'could not mail the invite');
      }
    }
    return { invite: toInvite(row, this.clock.now().toISOString()), url, mailed };
  }

  list(query: InviteListQuery): Promise<Page<Invite>> {
    return this.invites.page(query, this.clock.now().toISOString());
  }

  async revoke(caller: Caller, id: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.invites.find(id, tx);
      if (!before) throw new NotFound('Invite');
      if (before.used_at)
        throw new Conflict('This invite was already used; disable or delete the user instead.');
      if (before.revoked_at) return;
      const at = this.clock.now().toISOString();
      await this.invites.revoke(id, at, tx);
      await this.audit.record(
        caller,
        'invite.revoke',
        { type: 'invite', id, customerId: before.customer_id },
        {
          before: toInvite(before, at),
        },
        tx,
      );
    });
  }
}
