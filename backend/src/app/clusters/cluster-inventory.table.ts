/** Tables filled by the Proxmox cluster sync (migration 0004). JSON columns hold arrays/objects. */
export interface ClusterSyncStatusTable {
  cluster_id: string;
  last_sync: 'never' | 'ok' | 'failed';
  last_sync_at: string | null;
  last_sync_error: string | null;
  last_sync_job_id: string | null;
  cluster_name: string | null;
  quorum: string | null;
  ceph: string | null;
  updated_at: string;
}

/** PostgreSQL returns `bigint` as text; readers convert with Number(). */
type BigInt = number | string;

export interface ClusterNodesTable {
  id: string;
  cluster_id: string;
  name: string;
  status: string;
  online: number;
  cpu_usage: number | null;
  max_cpu: number;
  mem_used: BigInt;
  mem_total: BigInt;
  uptime: BigInt;
  ip: string | null;
  host_id: string | null;
  synced_at: string;
}

export interface ClusterGuestsTable {
  id: string;
  cluster_id: string;
  vmid: number;
  type: string;
  node: string;
  name: string;
  status: string;
  template: number;
  cores: number | null;
  memory_mib: number | null;
  tags: string;
  disks: string;
  nics: string;
  gpus: string;
  cpu_usage: number | null;
  uptime: BigInt;
  synced_at: string;
}

export interface ClusterStoragesTable {
  id: string;
  cluster_id: string;
  storage: string;
  node: string;
  type: string | null;
  content: string;
  shared: number;
  status: string | null;
  total: BigInt;
  used: BigInt;
}

export interface ClusterGpusTable {
  id: string;
  cluster_id: string;
  node: string;
  pci_id: string;
  name: string;
  vendor_id: string;
  device_id: string;
  mappings: string;
  used_by_vmid: number | null;
  used_by_name: string | null;
  used_via: string | null;
}

export interface ClusterInventoryTables {
  cluster_sync_status: ClusterSyncStatusTable;
  cluster_nodes: ClusterNodesTable;
  cluster_guests: ClusterGuestsTable;
  cluster_storages: ClusterStoragesTable;
  cluster_gpus: ClusterGpusTable;
}
