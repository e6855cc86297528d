import { navFor } from './nav-items.ts';

const labels = (role: Parameters<typeof navFor>[0]) =>
  navFor(role).flatMap((group) => group.items.map((i) => i.label));

describe('navigation by role', () => {
  it('shows staff every area of the seed, in order', () => {
    expect(labels('viewer')).toEqual([
      'Dashboard',
      'Infrastructure',
      'Clusters',
      'Deployments',
      'Customers',
      'Firewall',
      'GPUs',
      'FluxEdge',
      'Maintenance',
      'Jobs',
      'Settings',
      'Audit log',
    ]);
    expect(labels('admin')).toEqual(labels('viewer'));
  });

  it('gives a customer user only their own deployments', () => {
    expect(labels('customer')).toEqual(['My deployments']);
  });

  it('shows nothing before anyone is signed in', () => {
    expect(navFor(null)).toEqual([]);
  });
});
