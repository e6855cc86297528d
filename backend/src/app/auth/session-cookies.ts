import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'skyy_session';
/** Readable by the SPA (not HttpOnly): it copies the value into the `x-csrf-token` header. */
export const CSRF_COOKIE = 'skyy_csrf';
export const CSRF_HEADER = 'x-csrf-token';

export interface IssuedSession {
  /** The cookie value: the only copy of the session secret (the database has its SHA-256). */
  cookieValue: string;
  sessionId: string;
  csrfToken: string;
}

/**
 * Browser-session cookies (no Max-Age): the server decides when a session ends (sliding
 * expiry), and closing the browser ends it too. `Secure` whenever the request came over
 * HTTPS, which behind nginx needs server.trust_proxy so X-Forwarded-Proto counts.
 */
function cookieOptions(request: FastifyRequest, httpOnly: boolean) {
  return { path: '/', sameSite: 'lax', secure: request.protocol === 'https', httpOnly } as const;
}

export function setSessionCookies(request: FastifyRequest, reply: FastifyReply, issued: IssuedSession): void {
  void reply.setCookie(SESSION_COOKIE, issued.cookieValue, cookieOptions(request, true));
  void reply.setCookie(CSRF_COOKIE, issued.csrfToken, cookieOptions(request, false));
}

export function clearSessionCookies(request: FastifyRequest, reply: FastifyReply): void {
  void reply.clearCookie(SESSION_COOKIE, cookieOptions(request, true));
  void reply.clearCookie(CSRF_COOKIE, cookieOptions(request, false));
}
