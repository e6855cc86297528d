import { inject } from '@angular/core';
import type { Routes } from '@angular/router';
import { requireRole } from '../../core/auth/guards.ts';
import { SessionState } from '../../core/auth/session-state.ts';

export const settingsRoutes: Routes = [
  {
    path: '',
    loadComponent: () => import('./settings-page.ts').then((m) => m.SettingsPage),
    children: [
      {
        path: '',
        pathMatch: 'full',
        redirectTo: () => (inject(SessionState).isAdmin() ? 'users' : 'integrations'),
      },
      {
        path: 'users',
        canActivate: [requireRole('admin')],
        title: 'Users · Skyy Command',
        loadComponent: () => import('./user-list.ts').then((m) => m.UserList),
      },
      {
        path: 'invites',
        canActivate: [requireRole('admin')],
        title: 'Invites · Skyy Command',
        loadComponent: () => import('./invites.ts').then((m) => m.Invites),
      },
      {
        path: 'integrations',
        title: 'Integrations · Skyy Command',
        loadComponent: () => import('../../shared/coming-soon.ts').then((m) => m.ComingSoon),
        data: {
          title: 'Integrations',
          icon: 'settings',
          comingWith: 'the Proxmox, pfSense, FluxEdge and monitoring integrations',
          purpose:
            'Connections to Proxmox VE, pfSense, Nomad, the FluxEdge CLI, Grafana, Uptime Kuma and Ollama, with a test button for each. Until then they are set in config.yaml.',
        },
      },
    ],
  },
];
