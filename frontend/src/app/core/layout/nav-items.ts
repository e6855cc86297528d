import type { Role } from '@skyy/contracts';
import type { IconName } from '../../shared/icons.ts';
import { hasRole } from '../auth/session-state.ts';

export interface NavItem {
  label: string;
  path: string;
  icon: IconName;
  /** Who sees it: staff from this role up, or customer users. */
  audience: Exclude<Role, 'customer'> | 'customer';
}

export interface NavGroup {
  label: string;
  items: NavItem[];
}

/** The areas of the console, in the order an operator thinks of them. */
export const navGroups: NavGroup[] = [
  {
    label: 'Overview',
    items: [{ label: 'Dashboard', path: '/dashboard', icon: 'dashboard', audience: 'viewer' }],
  },
  {
    label: 'Inventory',
    items: [
      { label: 'Infrastructure', path: '/hosts', icon: 'dns', audience: 'viewer' },
      { label: 'Clusters', path: '/clusters', icon: 'hub', audience: 'viewer' },
      { label: 'Deployments', path: '/deployments', icon: 'rocket_launch', audience: 'viewer' },
      { label: 'My deployments', path: '/deployments', icon: 'rocket_launch', audience: 'customer' },
      { label: 'Customers', path: '/customers', icon: 'groups', audience: 'viewer' },
    ],
  },
  {
    label: 'Operations',
    items: [
      { label: 'Firewall', path: '/firewall', icon: 'shield', audience: 'viewer' },
      { label: 'GPUs', path: '/gpus', icon: 'memory', audience: 'viewer' },
      { label: 'FluxEdge', path: '/fluxedge', icon: 'cloud', audience: 'viewer' },
      { label: 'Maintenance', path: '/maintenance', icon: 'build', audience: 'viewer' },
      { label: 'Jobs', path: '/jobs', icon: 'pending_actions', audience: 'viewer' },
    ],
  },
  {
    label: 'Administration',
    items: [
      { label: 'Settings', path: '/settings', icon: 'settings', audience: 'viewer' },
      { label: 'Audit log', path: '/audit', icon: 'history', audience: 'viewer' },
    ],
  },
];

/** The navigation a role sees: customer users get only their own deployments. */
export function navFor(role: Role | null): NavGroup[] {
  const visible = (item: NavItem) =>
    item.audience === 'customer' ? role === 'customer' : hasRole(role, item.audience);
  return navGroups
    .map((group) => ({ ...group, items: group.items.filter(visible) }))
    .filter((group) => group.items.length > 0);
}
