import type { Routes } from '@angular/router';

export const firewallRoutes: Routes = [
  {
    path: '',
    title: 'Firewall · Skyy Command',
    loadComponent: () => import('./firewall-list.ts').then((m) => m.FirewallList),
  },
  {
    path: ':id',
    title: 'Firewall · Skyy Command',
    loadComponent: () => import('./firewall-detail.ts').then((m) => m.FirewallDetail),
  },
];
