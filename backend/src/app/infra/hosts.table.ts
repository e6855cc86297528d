export interface HostsTable {
  id: string;
  hostname: string;
  ip_address: string;
  /** JSON of the host file's `settings`. */
  settings: string;
  os: string | null;
  gpu: number;
  cluster_id: string | null;
  customer_id: string | null;
  source: string;
  source_yaml: string | null;
  created_at: string;
  updated_at: string;
}
export interface HostLabelsTable {
  host_id: string;
  kind: 'role' | 'tag';
  value: string;
  position: number;
}
export interface HostTables {
  hosts: HostsTable;
  host_labels: HostLabelsTable;
}
