import { provideHttpClient, withInterceptors, withNoXsrfProtection } from '@angular/common/http';
import {
  type ApplicationConfig,
  provideBrowserGlobalErrorListeners,
  provideZonelessChangeDetection,
} from '@angular/core';
import { provideRouter, withComponentInputBinding, withInMemoryScrolling } from '@angular/router';
import { routes } from './app.routes.ts';
import { csrfInterceptor } from './core/http/csrf.interceptor.ts';
import { sessionExpiryInterceptor } from './core/http/session-expiry.interceptor.ts';

export const appConfig: ApplicationConfig = {
  providers: [
    provideZonelessChangeDetection(),
    provideBrowserGlobalErrorListeners(),
    provideRouter(
      routes,
      withComponentInputBinding(),
      withInMemoryScrolling({ scrollPositionRestoration: 'top' }),
    ),
    provideHttpClient(
      // csrfInterceptor sends the session's token as x-csrf-token (cookie or sign-in answer).
      withNoXsrfProtection(),
      withInterceptors([csrfInterceptor, sessionExpiryInterceptor]),
    ),
  ],
};
