import type { Routes } from '@angular/router';
import { requireRole } from '../../core/auth/guards.ts';

export const customerRoutes: Routes = [
  {
    path: '',
    title: 'Customers · Skyy Command',
    loadComponent: () => import('./customer-list.ts').then((m) => m.CustomerList),
  },
  {
    path: 'new',
    canActivate: [requireRole('operator')],
    title: 'Add a customer · Skyy Command',
    loadComponent: () => import('./customer-form.ts').then((m) => m.CustomerForm),
  },
  {
    path: ':id',
    title: 'Customer · Skyy Command',
    loadComponent: () => import('./customer-detail.ts').then((m) => m.CustomerDetail),
  },
  {
    path: ':id/edit',
    canActivate: [requireRole('operator')],
    title: 'Edit customer · Skyy Command',
    loadComponent: () => import('./customer-form.ts').then((m) => m.CustomerForm),
  },
];
