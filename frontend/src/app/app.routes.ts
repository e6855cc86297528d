import { inject } from '@angular/core';
import type { Routes } from '@angular/router';
import { homeFor, requireRole, signedIn, signedOut } from './core/auth/guards.ts';
import { SessionState } from './core/auth/session-state.ts';
import { Shell } from './core/layout/shell.ts';

const comingSoon = () => import('./shared/coming-soon.ts').then((m) => m.ComingSoon);

/** Every feature is lazy: the first load carries only the shell, sign-in and the shared schemas. */
export const routes: Routes = [
  {
    path: 'login',
    canActivate: [signedOut],
    title: 'Sign in · Skyy Command',
    loadComponent: () => import('./features/auth/login.ts').then((m) => m.Login),
  },
  {
    path: 'setup',
    title: 'First run · Skyy Command',
    loadComponent: () => import('./features/auth/setup.ts').then((m) => m.Setup),
  },
  {
    path: 'register',
    canActivate: [signedOut],
    title: 'Create your account · Skyy Command',
    loadComponent: () => import('./features/auth/register.ts').then((m) => m.Register),
  },
  {
    path: 'forgot-password',
    title: 'Forgot password · Skyy Command',
    loadComponent: () => import('./features/auth/forgot-password.ts').then((m) => m.ForgotPassword),
  },
  {
    path: 'reset-password',
    title: 'New password · Skyy Command',
    loadComponent: () => import('./features/auth/reset-password.ts').then((m) => m.ResetPassword),
  },
  {
    path: '',
    component: Shell,
    canActivate: [signedIn],
    children: [
      { path: '', pathMatch: 'full', redirectTo: () => homeFor(inject(SessionState).role()) },
      {
        path: 'dashboard',
        canActivate: [requireRole('viewer')],
        title: 'Dashboard · Skyy Command',
        loadComponent: () => import('./features/dashboard/dashboard.ts').then((m) => m.Dashboard),
      },
      {
        path: 'hosts',
        canActivate: [requireRole('viewer')],
        loadChildren: () => import('./features/hosts/hosts.routes.ts').then((m) => m.hostRoutes),
      },
      {
        path: 'clusters',
        canActivate: [requireRole('viewer')],
        loadChildren: () => import('./features/clusters/clusters.routes.ts').then((m) => m.clusterRoutes),
      },
      {
        path: 'customers',
        canActivate: [requireRole('viewer')],
        loadChildren: () => import('./features/customers/customers.routes.ts').then((m) => m.customerRoutes),
      },
      {
        // Customer users see their own customer's deployments here (the API scopes the list).
        path: 'deployments',
        loadChildren: () =>
          import('./features/deployments/deployments.routes.ts').then((m) => m.deploymentRoutes),
      },
      {
        path: 'jobs',
        canActivate: [requireRole('viewer')],
        loadChildren: () => import('./features/jobs/jobs.routes.ts').then((m) => m.jobRoutes),
      },
      {
        path: 'audit',
        canActivate: [requireRole('viewer')],
        title: 'Audit log · Skyy Command',
        loadComponent: () => import('./features/audit/audit-log.ts').then((m) => m.AuditLog),
      },
      {
        path: 'settings',
        canActivate: [requireRole('viewer')],
        loadChildren: () => import('./features/settings/settings.routes.ts').then((m) => m.settingsRoutes),
      },
      {
        path: 'account',
        loadChildren: () => import('./features/account/account.routes.ts').then((m) => m.accountRoutes),
      },
      {
        path: 'firewall',
        canActivate: [requireRole('viewer')],
        loadChildren: () => import('./features/firewall/firewall.routes.ts').then((m) => m.firewallRoutes),
      },
      {
        path: 'gpus',
        canActivate: [requireRole('viewer')],
        loadChildren: () => import('./features/gpus/gpus.routes.ts').then((m) => m.gpuRoutes),
      },
      {
        path: 'fluxedge',
        canActivate: [requireRole('viewer')],
        title: 'FluxEdge · Skyy Command',
        loadComponent: comingSoon,
        data: {
          title: 'FluxEdge',
          icon: 'cloud',
          comingWith: 'the FluxEdge integration',
          purpose: 'The GPU machines rented out on FluxEdge: listings, rentals and earnings.',
        },
      },
      {
        path: 'maintenance',
        canActivate: [requireRole('viewer')],
        title: 'Maintenance · Skyy Command',
        loadComponent: comingSoon,
        data: {
          title: 'Maintenance',
          icon: 'build',
          comingWith: 'maintenance windows and rolling reboots',
          purpose:
            'Planned maintenance windows, rolling reboots of Proxmox hosts and update runs, step by step.',
        },
      },
      {
        path: '**',
        title: 'Not found · Skyy Command',
        loadComponent: () => import('./shared/not-found.ts').then((m) => m.NotFound),
      },
    ],
  },
];
