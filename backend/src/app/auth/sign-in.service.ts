import { Inject, Injectable } from '@nestjs/common';
import type { LoginRequest, SessionInfo, SetupRequest, SetupStatus, SkyyConfig } from '@skyy/contracts';
import { fromFlag, type Db } from '../../core/database/database.ts';
import { Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed } from '../../core/errors/problems.ts';
import type { Caller } from '../../core/http/caller.ts';
import { CONFIG, DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { Clock } from './clock.ts';
import { AdminExistsError, createFirstAdmin, FirstAdminInputError } from './first-admin.ts';
import { LoginThrottle } from './login-throttle.service.ts';
import { verifyAgainstNobody, verifyPassword } from './passwords.ts';
import { anonymous, type RequestContext } from './request-context.ts';
import type { IssuedSession } from './session-cookies.ts';
import { callerForUser, SessionsService } from './sessions.service.ts';
import { toUser, UsersRepository } from './users.repository.ts';

export interface SignedIn {
  info: SessionInfo;
  session: IssuedSession;
}

const WRONG_CREDENTIALS = 'Wrong username or password.';

@Injectable()
export class SignInService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(LoginThrottle) private readonly throttle: LoginThrottle,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async setupStatus(): Promise<SetupStatus> {
    return { needsSetup: (await this.users.count()) === 0 };
  }

  async setup(input: SetupRequest, context: RequestContext): Promise<SignedIn> {
    let created: { id: string };
    try {
      created = await createFirstAdmin(this.db, input, {
        passwordMinLength: this.config.auth.password_min_length,
        now: this.clock.now(),
        ip: context.ip,
        requestId: context.requestId,
      });
    } catch (error) {
      if (error instanceof AdminExistsError) throw new Conflict(error.message);
      if (error instanceof FirstAdminInputError)
        throw new ValidationFailed(error.errors.map((e) => ({ ...e, path: `body.${e.path}` })));
      throw error;
    }
    return this.db.kysely.transaction().execute(async (tx) => {
      const session = await this.sessions.start(created.id, context, tx);
      await this.users.update(created.id, { last_login_at: this.clock.now().toISOString() }, tx);
      const user = await this.users.find(created.id, tx);
      if (!user) throw new NotFound('User');
      return { info: { user: toUser(user), csrfToken: session.csrfToken }, session };
    });
  }

  /**
   * Same answer, and the same argon2 work, for an unknown username and a wrong password. While
   * the name or the address is locked, not even the right password gets in.
   */
  async login(input: LoginRequest, context: RequestContext): Promise<SignedIn> {
    const user = await this.users.findByLogin(input.username);
    // One counter per account, whichever name it is addressed by (username or e-mail).
    const keys = this.throttle.keys(user?.username_key ?? input.username, context.ip);
    try {
      await this.throttle.assertNotLocked(keys);
    } catch (error) {
      await this.audit.record(anonymous(context, input.username), 'auth.login.refused', null, {
        reason: 'locked',
      });
      throw error;
    }
    const ok = user
      ? await verifyPassword(user.password_hash, input.password)
      : await verifyAgainstNobody(input.password);
    if (!user || !ok) {
      await this.db.kysely.transaction().execute(async (tx) => {
        const locked = await this.throttle.recordFailure(keys, tx);
        const actor = anonymous(context, input.username);
        await this.audit.record(
          actor,
          'auth.login.failed',
          user ? { type: 'user', id: user.id } : null,
          {},
          tx,
        );
        for (const what of locked) {
          await this.audit.record(
            actor,
            'auth.lockout',
            null,
            {
              locked: what === 'user' ? 'account' : 'address',
              minutes: this.config.auth.lockout_minutes,
            },
            tx,
          );
        }
      });
      throw new Unauthorized(WRONG_CREDENTIALS);
    }
    if (fromFlag(user.disabled)) {
      await this.audit.record(
        anonymous(context, input.username),
        'auth.login.refused',
        { type: 'user', id: user.id },
        {
          reason: 'disabled',
        },
      );
      throw new Forbidden('This account is disabled; ask an administrator.');
    }
    return this.db.kysely.transaction().execute(async (tx) => {
      await this.throttle.clearUser(keys, tx);
      await this.throttle.forgetStale(tx);
      const session = await this.sessions.start(user.id, context, tx);
      const at = this.clock.now().toISOString();
      await this.users.update(user.id, { last_login_at: at }, tx);
      await this.audit.record(
        callerForUser(user, context, session.sessionId),
        'auth.login',
        {
          type: 'user',
          id: user.id,
          customerId: user.customer_id,
        },
        {},
        tx,
      );
      return {
        info: { user: toUser({ ...user, last_login_at: at }), csrfToken: session.csrfToken },
        session,
      };
    });
  }

  async logout(caller: Caller): Promise<void> {
    const sessionId = caller.sessionId;
    if (!sessionId) return; // API tokens have no session; revoke the token instead
    await this.db.kysely.transaction().execute(async (tx) => {
      await this.sessions.end(sessionId, tx);
      await this.audit.record(caller, 'auth.logout', { type: 'user', id: caller.userId }, {}, tx);
    });
  }

  async me(caller: Caller): Promise<SessionInfo> {
    const user = await this.users.find(caller.userId);
    if (!user) throw new Unauthorized();
    return { user: toUser(user), csrfToken: await this.sessions.csrfTokenOf(caller.sessionId) };
  }
}
