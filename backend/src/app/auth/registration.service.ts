import { Inject, Injectable } from '@nestjs/common';
import type { InvitePreview, RegisterRequest, Role, SkyyConfig } from '@skyy/contracts';
import type { Db } from '../../core/database/database.ts';
import { Forbidden, NotFound, ValidationFailed } from '../../core/errors/problems.ts';
import { CONFIG, DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { CustomersRepository } from '../customers/customers.repository.ts';
import type { InvitesTable } from './auth.table.ts';
import { Clock } from './clock.ts';
import { isUniqueViolation } from '../../core/database/db-errors.ts';
import { LinkUnusable } from './gone.ts';
import { inviteStatus, InvitesRepository } from './invites.repository.ts';
import { accountTaken, assertAccountFree, newUserRow } from './new-user.ts';
import { hashPassword, passwordProblems } from './passwords.ts';
import type { RequestContext } from './request-context.ts';
import { sha256 } from './secret-tokens.ts';
import { callerForUser, SessionsService } from './sessions.service.ts';
import type { SignedIn } from './sign-in.service.ts';
import { toUser, UsersRepository } from './users.repository.ts';

const UNUSABLE_INVITE =
  'This invite link is unknown, was already used, was revoked or has expired; ask for a new one.';

/** New accounts: from an invite (its role and customer), or open registration (a viewer). */
@Injectable()
export class RegistrationService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(InvitesRepository) private readonly invites: InvitesRepository,
    @Inject(CustomersRepository) private readonly customers: CustomersRepository,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** What the registration page shows; anything but a pending invite is simply not found. */
  async preview(token: string): Promise<InvitePreview> {
    const invite = await this.invites.findByHash(sha256(token));
    if (!invite || inviteStatus(invite, this.clock.now().toISOString()) !== 'pending')
      throw new NotFound('Invite');
    const customer = invite.customer_id ? await this.customers.find(invite.customer_id, null) : undefined;
    return {
      role: invite.role,
      customerName: customer?.name ?? null,
      email: invite.email,
      expiresAt: invite.expires_at,
    };
  }

  async register(input: RegisterRequest, context: RequestContext): Promise<SignedIn> {
    let invite: InvitesTable | undefined;
    let role: Role = 'viewer';
    let customerId: string | null = null;
    let email = input.email ?? null;
    if (input.invite !== undefined) {
      invite = await this.invites.findByHash(sha256(input.invite));
      if (!invite || inviteStatus(invite, this.clock.now().toISOString()) !== 'pending')
        throw new LinkUnusable(UNUSABLE_INVITE);
      role = invite.role;
      customerId = invite.customer_id;
      if (invite.email) {
        if (email && email.toLowerCase() !== invite.email.toLowerCase()) {
          throw new ValidationFailed([
            { path: 'body.email', message: 'must be the address the invite was sent to' },
          ]);
        }
        email = invite.email;
      }
    } else {
      if (!this.config.auth.open_registration)
        throw new Forbidden('Registration needs an invite; ask an administrator for one.');
      // Otherwise the first open registration would take the place of the first administrator.
      if ((await this.users.count()) === 0)
        throw new Forbidden('Finish first-run setup before anyone registers.');
    }
    const problems = passwordProblems(input.password, input.username, this.config.auth.password_min_length);
    if (problems.length)
      throw new ValidationFailed(problems.map((message) => ({ path: 'body.password', message })));
    const passwordHash = await hashPassword(input.password);

    try {
      return await this.db.kysely.transaction().execute(async (tx) => {
        await assertAccountFree(this.users, { username: input.username, email }, tx);
        const at = this.clock.now().toISOString();
        const row = newUserRow({ username: input.username, email, passwordHash, role, customerId }, at);
        row.last_login_at = at;
        const user = await this.users.insert(row, tx);
        if (invite && !(await this.invites.markUsed(invite.id, row.id, at, tx))) {
          throw new LinkUnusable(UNUSABLE_INVITE); // someone else used it a moment ago
        }
        const session = await this.sessions.start(row.id, context, tx);
        await this.audit.record(
          callerForUser(row, context, session.sessionId),
          'auth.register',
          { type: 'user', id: row.id, customerId },
          { after: user, inviteId: invite?.id ?? null, open: invite === undefined },
          tx,
        );
        return { info: { user: toUser(row), csrfToken: session.csrfToken }, session };
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw accountTaken();
      throw error;
    }
  }
}
