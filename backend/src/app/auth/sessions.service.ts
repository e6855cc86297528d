import { Inject, Injectable } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import type { Executor } from '../../core/database/database.ts';
import type { Caller } from '../../core/http/caller.ts';
import { CONFIG } from '../../core/tokens.ts';
import type { UsersTable } from './auth.table.ts';
import { addMs, Clock, HOUR_MS } from './clock.ts';
import type { RequestContext } from './request-context.ts';
import { randomSecret, sha256 } from './secret-tokens.ts';
import type { IssuedSession } from './session-cookies.ts';
import { SessionsRepository } from './sessions.repository.ts';

/**
 * When a session seen at `now` ends: the sliding window from `now`, but never past its absolute
 * lifetime from sign-in (`createdAt`). The one place that decides it, at sign-in and on activity.
 */
export function sessionExpiry(
  auth: Pick<SkyyConfig['auth'], 'session_ttl_hours' | 'session_max_hours'>,
  createdAt: Date,
  now: Date,
): Date {
  const sliding = addMs(now, auth.session_ttl_hours * HOUR_MS).getTime();
  const ceiling = addMs(createdAt, auth.session_max_hours * HOUR_MS).getTime();
  return new Date(Math.min(sliding, ceiling));
}

/** Starts and ends browser sessions. Checking them on each request is the authenticator's job. */
@Injectable()
export class SessionsService {
  constructor(
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async start(userId: string, context: RequestContext, tx: Executor): Promise<IssuedSession> {
    const now = this.clock.now();
    const cookieValue = randomSecret();
    const issued = { cookieValue, sessionId: sha256(cookieValue), csrfToken: randomSecret() };
    // Sign-ins are rare next to requests: a good moment to drop sessions that ran out.
    await this.sessions.deleteExpired(now.toISOString(), tx);
    await this.sessions.insert(
      {
        id: issued.sessionId,
        user_id: userId,
        csrf_token: issued.csrfToken,
        created_at: now.toISOString(),
        expires_at: sessionExpiry(this.config.auth, now, now).toISOString(),
        last_seen_at: now.toISOString(),
        ip: context.ip,
        user_agent: context.userAgent,
      },
      tx,
    );
    return issued;
  }

  async csrfTokenOf(sessionId: string | null): Promise<string | null> {
    if (!sessionId) return null;
    return (await this.sessions.find(sessionId))?.csrf_token ?? null;
  }

  end(sessionId: string, tx?: Executor): Promise<void> {
    return this.sessions.delete(sessionId, tx);
  }

  /** Ends every session of a user but `keepSessionId`; returns how many ended. */
  endAllOf(userId: string, keepSessionId: string | null, tx: Executor): Promise<number> {
    return this.sessions.deleteForUser(userId, keepSessionId, tx);
  }
}

/** The Caller a freshly signed-in (or just created) user acts as in the audit log. */
export function callerForUser(
  user: Pick<UsersTable, 'id' | 'username' | 'role' | 'customer_id'>,
  context: Pick<RequestContext, 'ip' | 'requestId'>,
  sessionId: string | null,
): Caller {
  return {
    userId: user.id,
    username: user.username,
    role: user.role,
    customerId: user.customer_id,
    via: 'session',
    sessionId,
    tokenId: null,
    scopes: ['read', 'write'],
    ip: context.ip,
    requestId: context.requestId,
  };
}
