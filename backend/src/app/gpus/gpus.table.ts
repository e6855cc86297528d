export interface GpuAgentsTable {
  id: string;
  host: string;
  token_hash: string;
  token_prefix: string;
  created_at: string;
  created_by: string | null;
  revoked_at: string | null;
  last_seen_at: string | null;
  last_ip: string | null;
  version: string | null;
  mode: string | null;
  source: string | null;
  config_source: string | null;
  agent_stale: number;
  /** JSON: chassisStateSchema from the latest heartbeat; null when it had none. */
  chassis: string | null;
  chassis_updated_at: string | null;
}
export interface GpuConfigsTable {
  /** `*` is the fleet default. */
  host: string;
  yaml: string;
  etag: string;
  updated_at: string;
  updated_by: string | null;
}
export interface GpusTable {
  uuid: string;
  host: string;
  gpu_index: number;
  name: string | null;
  status: string;
  /** JSON: gpuReadingSchema. */
  reading: string | null;
  /** JSON: fanDecisionSchema[]. */
  fan_decisions: string;
  /** JSON: powerDecisionSchema. */
  power_decision: string | null;
  /** JSON: string[]. */
  notes: string;
  sampled_at: string | null;
  last_seen_at: string;
}
export interface GpuReadingsTable {
  uuid: string;
  resolution: 'raw' | '5m';
  at: string;
  samples: number;
  temperature_c: number | null;
  fan_pct: number | null;
  power_draw_w: number | null;
  power_limit_w: number | null;
  utilization_pct: number | null;
}
export interface GpuAlertsTable {
  id: string;
  host: string;
  gpu_uuid: string | null;
  kind: string;
  level: string;
  message: string;
  raised_at: string;
  cleared_at: string | null;
}
export interface GpuTables {
  gpu_agents: GpuAgentsTable;
  gpu_configs: GpuConfigsTable;
  gpus: GpusTable;
  gpu_readings: GpuReadingsTable;
  gpu_alerts: GpuAlertsTable;
}
