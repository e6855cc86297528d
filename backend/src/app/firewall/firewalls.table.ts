export interface FirewallsTable {
  id: string;
  name: string;
  site: string;
  api_url: string;
  /** Sealed with SecretBox, or `env:NAME`. */
  api_key: string | null;
  tls_ca_file: string | null;
  tls_fingerprint: string | null;
  tls_insecure: number;
  /** JSON of FirewallSiteSettings. */
  settings: string | null;
  networking_file: string | null;
  networking_name: string | null;
  networking_content: string | null;
  networking_updated_at: string | null;
  source: string;
  created_at: string;
  updated_at: string;
}

export interface FirewallStatusTable {
  id: string;
  firewall_id: string;
  collected_at: string;
  reachable: number;
  error: string | null;
  /** JSON of @skyy/pfsense FirewallStatus. */
  status: string;
  /** JSON of DriftReport, or null when it could not be computed. */
  drift: string | null;
  drift_error: string | null;
}

export interface FirewallTables {
  firewalls: FirewallsTable;
  firewall_status: FirewallStatusTable;
}
