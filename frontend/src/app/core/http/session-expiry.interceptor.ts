import { HttpErrorResponse, type HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { SessionState } from '../auth/session-state.ts';

/**
 * A 401 while signed in means the session ended (expired, revoked, password changed elsewhere):
 * forget the user and go to the sign-in page, which brings them back here afterwards.
 */
export const sessionExpiryInterceptor: HttpInterceptorFn = (request, next) => {
  const session = inject(SessionState);
  const router = inject(Router);
  return next(request).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === 401 && session.user() !== null) {
        const returnTo = router.url;
        session.clear();
        void router.navigate(['/login'], { queryParams: { returnTo, expired: 1 } });
      }
      return throwError(() => error);
    }),
  );
};
