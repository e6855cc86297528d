import type { Routes } from '@angular/router';
import { requireRole } from '../../core/auth/guards.ts';

export const hostRoutes: Routes = [
  {
    path: '',
    title: 'Infrastructure · Skyy Command',
    loadComponent: () => import('./host-list.ts').then((m) => m.HostList),
  },
  {
    path: 'new',
    canActivate: [requireRole('operator')],
    title: 'Add a host · Skyy Command',
    loadComponent: () => import('./host-form.ts').then((m) => m.HostForm),
  },
  {
    path: 'import',
    canActivate: [requireRole('operator')],
    title: 'Import hosts · Skyy Command',
    loadComponent: () => import('./host-import.ts').then((m) => m.HostImport),
  },
  {
    path: ':id',
    title: 'Host · Skyy Command',
    loadComponent: () => import('./host-detail.ts').then((m) => m.HostDetail),
  },
  {
    path: ':id/edit',
    canActivate: [requireRole('operator')],
    title: 'Edit host · Skyy Command',
    loadComponent: () => import('./host-form.ts').then((m) => m.HostForm),
  },
];
