import { inject } from '@angular/core';
import { Router, type CanActivateFn } from '@angular/router';
import type { Role } from '@skyy/contracts';
import { AuthApi } from './auth-api.ts';
import { hasRole, SessionState } from './session-state.ts';

/** The page a signed-in user starts on: customers have no dashboard, only their deployments. */
export function homeFor(role: Role | null): string {
  return role === 'customer' ? '/deployments' : '/dashboard';
}

/** Only where `returnTo` is a path of this console (never another site). */
export function safeReturnTo(value: string | null | undefined): string | null {
  return value && value.startsWith('/') && !value.startsWith('//') ? value : null;
}

// Guards inject everything before their first `await`: inject() only works synchronously.

/** The console needs a session; without one go to first-run setup or the sign-in page. */
export const signedIn: CanActivateFn = async (_route, state) => {
  const auth = inject(AuthApi);
  const router = inject(Router);
  const session = inject(SessionState);
  await auth.restore();
  if (session.user()) return true;
  if (await auth.needsSetup()) return router.parseUrl('/setup');
  return router.createUrlTree(['/login'], { queryParams: state.url === '/' ? {} : { returnTo: state.url } });
};

/** Sign-in and friends: a user who is already signed in goes to their start page. */
export const signedOut: CanActivateFn = async () => {
  const auth = inject(AuthApi);
  const router = inject(Router);
  const session = inject(SessionState);
  await auth.restore();
  return session.user() ? router.parseUrl(homeFor(session.role())) : true;
};

/** Areas for staff of at least this role; others land on their start page instead. */
export function requireRole(minimum: Exclude<Role, 'customer'>): CanActivateFn {
  return async () => {
    const auth = inject(AuthApi);
    const router = inject(Router);
    const session = inject(SessionState);
    await auth.restore();
    // Not signed in at all: the shell's `signedIn` guard sends them to the sign-in page.
    if (!session.user() || hasRole(session.role(), minimum)) return true;
    return router.parseUrl(homeFor(session.role()));
  };
}
