import { Inject, Injectable } from '@nestjs/common';
import type { Page, User, UserListQuery, UserUpdate } from '@skyy/contracts';
import { fromFlag, toFlag, type Db, type Executor } from '../../core/database/database.ts';
import { Conflict, NotFound, ValidationFailed } from '../../core/errors/problems.ts';
import type { Caller } from '../../core/http/caller.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { CustomersRepository } from '../customers/customers.repository.ts';
import type { UsersTable } from './auth.table.ts';
import { Clock } from './clock.ts';
import { isUniqueViolation } from '../../core/database/db-errors.ts';
import { SessionsService } from './sessions.service.ts';
import { toUser, UsersRepository } from './users.repository.ts';

const LAST_ADMIN = 'This is the last active administrator; make someone else an admin first.';

/** User administration (admins only). Nobody can remove the last way in. */
@Injectable()
export class UsersService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(CustomersRepository) private readonly customers: CustomersRepository,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  list(query: UserListQuery): Promise<Page<User>> {
    return this.users.page(query);
  }

  async get(id: string): Promise<User> {
    const row = await this.users.find(id);
    if (!row) throw new NotFound('User');
    return toUser(row);
  }

  async update(caller: Caller, id: string, patch: UserUpdate): Promise<User> {
    try {
      return await this.db.kysely.transaction().execute(async (tx) => {
        const before = await this.users.find(id, tx);
        if (!before) throw new NotFound('User');
        const role = patch.role ?? before.role;
        // Leaving the customer role drops the customer unless the patch says otherwise (and fails).
        const customerId =
          patch.customerId !== undefined ? patch.customerId : role === 'customer' ? before.customer_id : null;
        if (role === 'customer' && !customerId)
          throw new ValidationFailed([
            { path: 'body.customerId', message: 'required for the customer role' },
          ]);
        if (role !== 'customer' && customerId)
          throw new ValidationFailed([
            { path: 'body.customerId', message: 'only customer users belong to a customer' },
          ]);
        if (
          customerId &&
          customerId !== before.customer_id &&
          !(await this.customers.find(customerId, null, tx))
        )
          throw new NotFound('Customer');
        const disabled = patch.disabled ?? fromFlag(before.disabled);
        if (isActiveAdmin(before) && (role !== 'admin' || disabled)) await this.assertOtherAdmin(id, tx);
        if (patch.email && (await this.users.emailTaken(patch.email, id, tx)))
          throw new Conflict('Another account uses that e-mail address.', [
            { path: 'body.email', message: 'already used by another account' },
          ]);
        const row: Partial<UsersTable> = {
          role,
          customer_id: customerId,
          disabled: toFlag(disabled),
          ...(patch.email !== undefined
            ? { email: patch.email, email_key: patch.email?.toLowerCase() ?? null }
            : {}),
          updated_at: this.clock.now().toISOString(),
        };
        await this.users.update(id, row, tx);
        // A disabled user is out at once: sessions end here, tokens are refused on their next use.
        const ended = disabled && !fromFlag(before.disabled) ? await this.sessions.endAllOf(id, null, tx) : 0;
        const after = toUser({ ...before, ...row });
        await this.audit.record(
          caller,
          'user.update',
          { type: 'user', id, customerId: after.customerId },
          {
            before: toUser(before),
            after,
            sessionsEnded: ended,
          },
          tx,
        );
        return after;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new Conflict('Another account uses that e-mail address.');
      throw error;
    }
  }

  async delete(caller: Caller, id: string): Promise<void> {
    if (id === caller.userId)
      throw new Conflict('You cannot delete your own account; ask another administrator.');
    await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.users.find(id, tx);
      if (!before) throw new NotFound('User');
      if (isActiveAdmin(before)) await this.assertOtherAdmin(id, tx);
      await this.users.delete(id, tx);
      await this.audit.record(
        caller,
        'user.delete',
        { type: 'user', id, customerId: before.customer_id },
        {
          before: toUser(before),
        },
        tx,
      );
    });
  }

  private async assertOtherAdmin(id: string, tx: Executor): Promise<void> {
    if ((await this.users.otherActiveAdmins(id, tx)) === 0) throw new Conflict(LAST_ADMIN);
  }
}

function isActiveAdmin(row: UsersTable): boolean {
  return row.role === 'admin' && !fromFlag(row.disabled);
}
