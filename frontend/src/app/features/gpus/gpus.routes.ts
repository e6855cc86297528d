import type { Routes } from '@angular/router';

export const gpuRoutes: Routes = [
  {
    path: '',
    loadComponent: () => import('./gpus-page.ts').then((m) => m.GpusPage),
    children: [
      {
        path: '',
        pathMatch: 'full',
        title: 'GPUs · Skyy Command',
        loadComponent: () => import('./gpu-fleet.ts').then((m) => m.GpuFleetPage),
      },
      {
        path: 'agents',
        title: 'GPU agents · Skyy Command',
        loadComponent: () => import('./gpu-agents.ts').then((m) => m.GpuAgentsPage),
      },
      {
        path: 'config',
        title: 'GPU config · Skyy Command',
        loadComponent: () => import('./gpu-config.ts').then((m) => m.GpuConfigPage),
      },
      {
        path: 'config/:host',
        title: 'GPU config · Skyy Command',
        loadComponent: () => import('./gpu-config.ts').then((m) => m.GpuConfigPage),
      },
    ],
  },
  {
    // GPU UUIDs start with "GPU-", so they never meet the section names above.
    path: ':uuid',
    title: 'GPU · Skyy Command',
    loadComponent: () => import('./gpu-detail.ts').then((m) => m.GpuDetailPage),
  },
];
