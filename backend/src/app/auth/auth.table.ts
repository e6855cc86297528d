import type { Role } from '@skyy/contracts';

/** Tables of migration 0002-auth. Timestamps are ISO text, flags 0/1 (see core/database). */
export interface UsersTable {
  id: string;
  username: string;
  /** Lower-cased username: the unique, case-insensitive key. */
  username_key: string;
  email: string | null;
  email_key: string | null;
  /** argon2id PHC string; never leaves the repository layer. */
  password_hash: string;
  role: Role;
  customer_id: string | null;
  disabled: number;
  password_changed_at: string;
  created_at: string;
  updated_at: string;
  last_login_at: string | null;
}

export interface AuthSetupTable {
  id: string;
  user_id: string;
  claimed_at: string;
}

export interface SessionsTable {
  /** SHA-256 (hex) of the cookie value: a database leak does not hand out sessions. */
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  ip: string | null;
  user_agent: string | null;
}

export interface ApiTokensTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  prefix: string;
  /** JSON array of scopes. */
  scopes: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface InvitesTable {
  id: string;
  token_hash: string;
  role: Role;
  customer_id: string | null;
  email: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  used_by: string | null;
  revoked_at: string | null;
}

export interface PasswordResetsTable {
  token_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface LoginFailuresTable {
  key: string;
  failures: number;
  window_started_at: string;
  last_failed_at: string;
  locked_until: string | null;
}

export interface AuthTables {
  users: UsersTable;
  auth_setup: AuthSetupTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  invites: InvitesTable;
  password_resets: PasswordResetsTable;
  login_failures: LoginFailuresTable;
}
