import type { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { SessionState } from '../auth/session-state.ts';

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The `skyy_csrf` cookie the server sets beside the HttpOnly session cookie (double submit). */
export function readCsrfCookie(cookies: string): string | null {
  for (const part of cookies.split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === 'skyy_csrf') return decodeURIComponent(rest.join('='));
  }
  return null;
}

/** Every state-changing call to our own API carries the session's CSRF token. */
export const csrfInterceptor: HttpInterceptorFn = (request, next) => {
  if (safeMethods.has(request.method) || !request.url.startsWith('/api/')) return next(request);
  const token = readCsrfCookie(document.cookie) ?? inject(SessionState).csrfToken();
  return next(token ? request.clone({ setHeaders: { 'x-csrf-token': token } }) : request);
};
