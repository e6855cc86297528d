import type { Routes } from '@angular/router';
import { requireRole } from '../../core/auth/guards.ts';

/** Staff see every deployment; customer users see their own customer's (the API scopes it). */
export const deploymentRoutes: Routes = [
  {
    path: '',
    title: 'Deployments · Skyy Command',
    loadComponent: () => import('./deployment-list.ts').then((m) => m.DeploymentList),
  },
  {
    path: 'new',
    canActivate: [requireRole('operator')],
    title: 'Add a deployment · Skyy Command',
    loadComponent: () => import('./deployment-form.ts').then((m) => m.DeploymentForm),
  },
  {
    path: ':id',
    title: 'Deployment · Skyy Command',
    loadComponent: () => import('./deployment-detail.ts').then((m) => m.DeploymentDetail),
  },
  {
    path: ':id/edit',
    canActivate: [requireRole('operator')],
    title: 'Edit deployment · Skyy Command',
    loadComponent: () => import('./deployment-form.ts').then((m) => m.DeploymentForm),
  },
];
