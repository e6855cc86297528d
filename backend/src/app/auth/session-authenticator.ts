import { Inject, Injectable } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import type { FastifyRequest } from 'fastify';
import { fromFlag } from '../../core/database/database.ts';
import { Forbidden } from '../../core/errors/problems.ts';
import { Authenticator } from '../../core/http/authenticator.ts';
import type { Caller } from '../../core/http/caller.ts';
import { CONFIG } from '../../core/tokens.ts';
import { ApiTokensRepository, parseScopes } from './api-tokens.repository.ts';
import { Clock, MINUTE_MS } from './clock.ts';
import { safeEqual, sha256 } from './secret-tokens.ts';
import { CSRF_HEADER, SESSION_COOKIE } from './session-cookies.ts';
import { SessionsRepository } from './sessions.repository.ts';
import { sessionExpiry } from './sessions.service.ts';

export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** last_seen_at / last_used_at are written at most this often per session or token. */
export const TOUCH_INTERVAL_MS = MINUTE_MS;

const BEARER = /^Bearer[ \t]+(skyy_[A-Za-z0-9_-]{16,128})[ \t]*$/i;

/**
 * The Authenticator port: `Authorization: Bearer skyy_…` (personal API token) or the
 * `skyy_session` cookie. Cookie-authenticated writes must echo the session's CSRF token in
 * `x-csrf-token`; bearer requests are exempt (a browser never attaches them by itself).
 */
@Injectable()
export class SessionAuthenticator extends Authenticator {
  constructor(
    @Inject(SessionsRepository) private readonly sessions: SessionsRepository,
    @Inject(ApiTokensRepository) private readonly tokens: ApiTokensRepository,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(Clock) private readonly clock: Clock,
  ) {
    super();
  }

  async authenticate(request: FastifyRequest): Promise<Caller | null> {
    const authorization = request.headers.authorization;
    // An Authorization header decides alone: a wrong token is a 401, not a fall back to cookies.
    if (authorization !== undefined) return this.fromToken(request, authorization);
    const cookie = request.cookies?.[SESSION_COOKIE];
    return cookie ? this.fromSession(request, cookie) : null;
  }

  private async fromToken(request: FastifyRequest, header: string): Promise<Caller | null> {
    const secret = BEARER.exec(header)?.[1];
    if (!secret) return null;
    const found = await this.tokens.findWithUserByHash(sha256(secret));
    if (!found) return null;
    const { token, user } = found;
    const now = this.clock.now();
    const nowIso = now.toISOString();
    if (token.revoked_at !== null || (token.expires_at !== null && token.expires_at <= nowIso)) return null;
    if (fromFlag(user.disabled)) return null;
    if (token.last_used_at === null || Date.parse(token.last_used_at) + TOUCH_INTERVAL_MS <= now.getTime()) {
      await this.tokens.touch(token.id, nowIso);
    }
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      customerId: user.customer_id,
      via: 'token',
      sessionId: null,
      tokenId: token.id,
      scopes: parseScopes(token.scopes),
      ip: request.ip,
      requestId: String(request.id),
    };
  }

  private async fromSession(request: FastifyRequest, cookie: string): Promise<Caller | null> {
    const id = sha256(cookie);
    const found = await this.sessions.findWithUser(id);
    if (!found) return null;
    const { session, user } = found;
    const now = this.clock.now();
    if (session.expires_at <= now.toISOString()) {
      await this.sessions.delete(id);
      return null;
    }
    if (fromFlag(user.disabled)) return null;
    if (!SAFE_METHODS.has(request.method)) {
      const header = request.headers[CSRF_HEADER];
      if (typeof header !== 'string' || !safeEqual(header, session.csrf_token)) {
        throw new Forbidden('Missing or wrong CSRF token: send the x-csrf-token header you got at sign-in.');
      }
    }
    if (Date.parse(session.last_seen_at) + TOUCH_INTERVAL_MS <= now.getTime()) {
      const expiry = sessionExpiry(this.config.auth, new Date(session.created_at), now);
      await this.sessions.touch(id, now.toISOString(), expiry.toISOString());
    }
    return {
      userId: user.id,
      username: user.username,
      role: user.role,
      customerId: user.customer_id,
      via: 'session',
      sessionId: id,
      tokenId: null,
      scopes: ['read', 'write'],
      ip: request.ip,
      requestId: String(request.id),
    };
  }
}
