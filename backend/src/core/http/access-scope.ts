import type { Caller } from './caller.ts';

/**
 * The one rule of tenant isolation: a customer user sees only their customer's rows.
 * Services pass `scope.customerId` to repositories, which add it to every query.
 */
export interface AccessScope {
  /** null: every customer (staff). A value: only rows of that customer. */
  customerId: string | null;
}

export function scopeFor(caller: Caller): AccessScope {
  if (caller.role === 'customer') {
    // A customer user without a customer must see nothing, never everything.
    return { customerId: caller.customerId ?? '00000000-0000-0000-0000-000000000000' };
  }
  return { customerId: null };
}
