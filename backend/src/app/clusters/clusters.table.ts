export interface ClustersTable {
  id: string;
  name: string;
  type: string;
  site: string | null;
  api_url: string | null;
  token_id: string | null;
  /** Sealed with SecretBox, or `env:NAME`. */
  token_secret: string | null;
  tls_ca_file: string | null;
  tls_fingerprint: string | null;
  tls_insecure: number;
  source: string;
  created_at: string;
  updated_at: string;
}
export interface ClusterTables {
  clusters: ClustersTable;
}
