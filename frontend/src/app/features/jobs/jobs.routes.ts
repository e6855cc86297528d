import type { Routes } from '@angular/router';

export const jobRoutes: Routes = [
  {
    path: '',
    title: 'Jobs · Skyy Command',
    loadComponent: () => import('./job-list.ts').then((m) => m.JobList),
  },
  {
    path: ':id',
    title: 'Job · Skyy Command',
    loadComponent: () => import('./job-detail.ts').then((m) => m.JobDetail),
  },
];
