import type { Host, Role, User } from '@skyy/contracts';

const at = '2026-11-27T08:00:00.000Z';

export function aUser(role: Role, overrides: Partial<User> = {}): User {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    username: `${role}-user`,
    email: null,
    role,
    customerId: role === 'customer' ? '00000000-0000-4000-8000-0000000000c1' : null,
    disabled: false,
    createdAt: at,
    updatedAt: at,
    lastLoginAt: null,
    passwordChangedAt: at,
    ...overrides,
  };
}

export function aHost(overrides: Partial<Host> = {}): Host {
  return {
    id: '00000000-0000-4000-8000-0000000000a1',
    hostname: 'puma-proxmox-001',
    ipAddress: '10.10.0.11',
    roles: ['proxmox'],
    tags: ['rack-a'],
    settings: {},
    os: 'proxmox',
    gpu: false,
    clusterId: null,
    customerId: null,
    source: 'api',
    sourceYaml: null,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}
