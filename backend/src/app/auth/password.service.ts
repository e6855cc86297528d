import { Inject, Injectable, type BeforeApplicationShutdown } from '@nestjs/common';
import type { PasswordChange, PasswordForgot, PasswordReset, SkyyConfig } from '@skyy/contracts';
import type { Logger } from 'pino';
import { fromFlag, type Db } from '../../core/database/database.ts';
import { Unauthorized, ValidationFailed } from '../../core/errors/problems.ts';
import type { Caller } from '../../core/http/caller.ts';
import { Mailer } from '../../core/mail/mailer.ts';
import { CONFIG, DB, LOGGER } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { passwordResetMail } from './auth-mails.ts';
import type { UsersTable } from './auth.table.ts';
import { addMs, Clock, MINUTE_MS } from './clock.ts';
import { LinkUnusable } from './gone.ts';
import { LoginFailuresRepository } from './login-failures.repository.ts';
import { hashPassword, passwordProblems, verifyPassword } from './passwords.ts';
import { PasswordResetsRepository } from './password-resets.repository.ts';
import { anonymous, type RequestContext } from './request-context.ts';
import { randomSecret, sha256 } from './secret-tokens.ts';
import { SessionsService } from './sessions.service.ts';
import { UsersRepository } from './users.repository.ts';

export const RESET_MINUTES = 30;
/** Reset mails per account per RESET_MINUTES; more requests are answered 202 and dropped. */
export const MAX_RESET_MAILS = 3;
const UNUSABLE_RESET = 'This reset link is unknown, was already used or has expired; ask for a new one.';

@Injectable()
export class PasswordService implements BeforeApplicationShutdown {
  /**
   * Forgot-password work still to do after its 202 went out, one request after the other, so
   * the per-account mail limit is counted exactly within this process.
   */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(UsersRepository) private readonly users: UsersRepository,
    @Inject(PasswordResetsRepository) private readonly resets: PasswordResetsRepository,
    @Inject(LoginFailuresRepository) private readonly failures: LoginFailuresRepository,
    @Inject(SessionsService) private readonly sessions: SessionsService,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(Mailer) private readonly mailer: Mailer,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * Answers at once, whether the account exists or not; the lookup, the token and the mail
   * happen afterwards, so neither the answer nor its timing tells accounts apart.
   */
  forgot(input: PasswordForgot, context: RequestContext): void {
    const login = input.email ?? input.username ?? '';
    this.queue = this.queue.then(() =>
      this.sendResetLink(login, context).catch((error: unknown) =>
        this.logger.error({ err: error, requestId: context.requestId }, 'password reset mail failed'),
      ),
    );
  }

  /** Resolves once every forgot-password request so far is fully handled (tests, shutdown). */
  async settled(): Promise<void> {
    let seen: Promise<void> | undefined;
    while (seen !== this.queue) {
      seen = this.queue;
      await seen;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.settled();
  }

  private async sendResetLink(login: string, context: RequestContext): Promise<void> {
    const user = await this.users.findByLogin(login);
    const actor = anonymous(context, login);
    if (!user || !user.email || fromFlag(user.disabled)) {
      await this.audit.record(actor, 'auth.password.forgot', null, { mailed: false });
      return;
    }
    const token = randomSecret();
    const now = this.clock.now();
    const since = addMs(now, -RESET_MINUTES * MINUTE_MS).toISOString();
    if ((await this.resets.countSince(user.id, since)) >= MAX_RESET_MAILS) {
      // Nobody fills a mailbox by calling this endpoint in a loop.
      await this.audit.record(
        actor,
        'auth.password.forgot',
        { type: 'user', id: user.id },
        {
          mailed: false,
          reason: 'too many requests',
        },
      );
      return;
    }
    await this.db.kysely.transaction().execute(async (tx) => {
      await this.resets.deleteStale(now.toISOString(), tx);
      await this.resets.insert(
        {
          token_hash: sha256(token),
          user_id: user.id,
          created_at: now.toISOString(),
          expires_at: addMs(now, RESET_MINUTES * MINUTE_MS).toISOString(),
          used_at: null,
        },
        tx,
      );
      await this.audit.record(
        actor,
        'auth.password.forgot',
        { type: 'user', id: user.id },
        { mailed: true },
        tx,
      );
    });
    await this.mailer.send(
      passwordResetMail({
        to: user.email,
        organization: this.config.main.organization,
        username: user.username,
        url: `${context.baseUrl}/reset-password?token=${token}`,
        minutes: RESET_MINUTES,
      }),
    );
  }

  /** Sets the password from a mailed link, spends the link and signs the user out everywhere. */
  async reset(input: PasswordReset, context: RequestContext): Promise<void> {
    const tokenHash = sha256(input.token);
    const now = this.clock.now().toISOString();
    const reset = await this.resets.find(tokenHash);
    if (!reset || reset.used_at !== null || reset.expires_at <= now) throw new LinkUnusable(UNUSABLE_RESET);
    const user = await this.users.find(reset.user_id);
    if (!user) throw new LinkUnusable(UNUSABLE_RESET);
    this.checkPolicy(input.password, user, 'body.password');
    const passwordHash = await hashPassword(input.password);
    await this.db.kysely.transaction().execute(async (tx) => {
      const at = this.clock.now().toISOString();
      if (!(await this.resets.markUsed(tokenHash, at, tx))) throw new LinkUnusable(UNUSABLE_RESET);
      await this.resets.spendAllForUser(user.id, at, tx);
      await this.users.update(
        user.id,
        { password_hash: passwordHash, password_changed_at: at, updated_at: at },
        tx,
      );
      const ended = await this.sessions.endAllOf(user.id, null, tx);
      // Whoever proved control of the mailbox gets a fresh start on sign-in failures.
      await this.failures.clear(`user:${user.username_key}`, tx);
      await this.audit.record(
        anonymous(context, user.username),
        'auth.password.reset',
        {
          type: 'user',
          id: user.id,
          customerId: user.customer_id,
        },
        { sessionsEnded: ended },
        tx,
      );
    });
  }

  /** Changes one's own password; every other session of the user ends, this one stays. */
  async change(caller: Caller, input: PasswordChange): Promise<void> {
    const user = await this.users.find(caller.userId);
    if (!user) throw new Unauthorized();
    if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
      throw new ValidationFailed([{ path: 'body.currentPassword', message: 'is not your current password' }]);
    }
    this.checkPolicy(input.newPassword, user, 'body.newPassword');
    const passwordHash = await hashPassword(input.newPassword);
    await this.db.kysely.transaction().execute(async (tx) => {
      const at = this.clock.now().toISOString();
      await this.users.update(
        user.id,
        { password_hash: passwordHash, password_changed_at: at, updated_at: at },
        tx,
      );
      await this.resets.spendAllForUser(user.id, at, tx);
      const ended = await this.sessions.endAllOf(user.id, caller.sessionId, tx);
      await this.audit.record(
        caller,
        'auth.password.change',
        {
          type: 'user',
          id: user.id,
          customerId: user.customer_id,
        },
        { sessionsEnded: ended },
        tx,
      );
    });
  }

  private checkPolicy(password: string, user: UsersTable, path: string): void {
    const problems = passwordProblems(password, user.username, this.config.auth.password_min_length);
    if (problems.length) throw new ValidationFailed(problems.map((message) => ({ path, message })));
  }
}
