import { SetMetadata } from '@nestjs/common';
import type { Role } from '@skyy/contracts';

export const ACCESS_RULE = 'skyy:access-rule';

/**
 * Every route declares who may call it; the guard refuses routes that declare nothing,
 * and a test walks the route table to make sure none is forgotten.
 */
export type AccessRule =
  | { kind: 'public' }
  /** Any signed-in user, whatever the role (own account pages). */
  | { kind: 'authenticated' }
  /** Machine agents only (e.g. a GPU agent with its host's token); never a user. */
  | { kind: 'agent' }
  | { kind: 'roles'; minimum: StaffRole | null; customer: boolean };

export type StaffRole = Exclude<Role, 'customer'>;

const staffRank: Record<StaffRole, number> = { viewer: 1, operator: 2, admin: 3 };

/** `@Roles('viewer')`: viewers, operators and admins. Add `'customer'` to let customer users in too. */
export function Roles(...roles: Role[]) {
  const staff = roles.filter((r): r is StaffRole => r !== 'customer');
  const minimum = staff.sort((a, b) => staffRank[a] - staffRank[b])[0] ?? null;
  return SetMetadata(ACCESS_RULE, {
    kind: 'roles',
    minimum,
    customer: roles.includes('customer'),
  } satisfies AccessRule);
}

export const Public = () => SetMetadata(ACCESS_RULE, { kind: 'public' } satisfies AccessRule);
export const Authenticated = () => SetMetadata(ACCESS_RULE, { kind: 'authenticated' } satisfies AccessRule);
/** `@AgentToken()`: only an agent token (see AgentAuthenticator); users get 403, anonymous 401. */
export const AgentToken = () => SetMetadata(ACCESS_RULE, { kind: 'agent' } satisfies AccessRule);

export function roleSatisfies(role: Role, rule: Extract<AccessRule, { kind: 'roles' }>): boolean {
  if (role === 'customer') return rule.customer;
  return rule.minimum !== null && staffRank[role] >= staffRank[rule.minimum];
}
