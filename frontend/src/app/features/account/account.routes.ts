import type { Routes } from '@angular/router';

/** Every signed-in user, customers included, manages their own password and API tokens. */
export const accountRoutes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'password' },
  {
    path: 'password',
    title: 'Change password · Skyy Command',
    loadComponent: () => import('./change-password.ts').then((m) => m.ChangePassword),
  },
  {
    path: 'tokens',
    title: 'API tokens · Skyy Command',
    loadComponent: () => import('./api-tokens.ts').then((m) => m.ApiTokens),
  },
];
