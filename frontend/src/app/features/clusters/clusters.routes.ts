import type { Routes } from '@angular/router';
import { requireRole } from '../../core/auth/guards.ts';

export const clusterRoutes: Routes = [
  {
    path: '',
    title: 'Clusters · Skyy Command',
    loadComponent: () => import('./cluster-list.ts').then((m) => m.ClusterList),
  },
  {
    path: 'new',
    canActivate: [requireRole('admin')],
    title: 'Add a cluster · Skyy Command',
    loadComponent: () => import('./cluster-form.ts').then((m) => m.ClusterForm),
  },
  {
    path: ':id',
    title: 'Cluster · Skyy Command',
    loadComponent: () => import('./cluster-detail.ts').then((m) => m.ClusterDetail),
  },
  {
    path: ':id/guests/:vmid',
    title: 'VM · Skyy Command',
    loadComponent: () => import('./cluster-guest.ts').then((m) => m.ClusterGuestPage),
  },
  {
    path: ':id/plan',
    canActivate: [requireRole('operator')],
    title: 'Plan VMs · Skyy Command',
    loadComponent: () => import('./cluster-plan.ts').then((m) => m.ClusterPlanPage),
  },
  {
    path: ':id/edit',
    canActivate: [requireRole('admin')],
    title: 'Edit cluster · Skyy Command',
    loadComponent: () => import('./cluster-form.ts').then((m) => m.ClusterForm),
  },
];
