import { computed, Injectable, signal } from '@angular/core';
import type { Role, SessionInfo, User } from '@skyy/contracts';

const staffRank: Record<Role, number> = { customer: 0, viewer: 1, operator: 2, admin: 3 };

/** A staff role at least as strong as `minimum` (customers are never staff). */
export function hasRole(role: Role | null | undefined, minimum: Exclude<Role, 'customer'>): boolean {
  return !!role && role !== 'customer' && staffRank[role] >= staffRank[minimum];
}

/**
 * Who is signed in. The UI only reflects the role (hides what the API would refuse);
 * the API enforces every rule itself.
 */
@Injectable({ providedIn: 'root' })
export class SessionState {
  private readonly current = signal<User | null>(null);
  private readonly csrf = signal<string | null>(null);

  readonly user = this.current.asReadonly();
  readonly csrfToken = this.csrf.asReadonly();
  readonly role = computed(() => this.current()?.role ?? null);
  readonly isCustomer = computed(() => this.role() === 'customer');
  readonly isStaff = computed(() => hasRole(this.role(), 'viewer'));
  /** Operators and admins change the inventory and run jobs. */
  readonly canEdit = computed(() => hasRole(this.role(), 'operator'));
  /** Only admins manage users and invites. */
  readonly isAdmin = computed(() => this.role() === 'admin');

  signedIn(info: SessionInfo): void {
    this.current.set(info.user);
    this.csrf.set(info.csrfToken);
  }

  clear(): void {
    this.current.set(null);
    this.csrf.set(null);
  }
}
