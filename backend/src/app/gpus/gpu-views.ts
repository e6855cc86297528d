import type {
  FanDecision,
  GpuAgent,
  GpuAgentSummary,
  GpuAlert,
  GpuControlStatus,
  GpuFleetItem,
  GpuReading,
  PowerDecision,
} from '@skyy/contracts';
import { fromFlag } from '../../core/database/database.ts';
import { toGpuChassis } from './gpu-chassis.ts';
import type { GpuAgentsTable, GpuAlertsTable, GpusTable } from './gpus.table.ts';

/** Rows → API shapes for agents, GPUs and alerts. */

/** The agent sends its state every 30 s; silent for 3 heartbeats means stale. */
export const HEARTBEAT_INTERVAL_MS = 30_000;
export const STALE_AFTER_MS = 3 * HEARTBEAT_INTERVAL_MS;

export function isSilent(row: GpuAgentsTable, now: Date): boolean {
  return row.last_seen_at !== null && Date.parse(row.last_seen_at) + STALE_AFTER_MS <= now.getTime();
}

export function toAgentSummary(row: GpuAgentsTable, now: Date): GpuAgentSummary {
  return {
    host: row.host,
    version: row.version,
    mode: row.mode as GpuAgentSummary['mode'],
    source: row.source as GpuAgentSummary['source'],
    configSource: row.config_source as GpuAgentSummary['configSource'],
    lastSeenAt: row.last_seen_at,
    stale: isSilent(row, now) || fromFlag(row.agent_stale),
  };
}

export function toGpuAgent(row: GpuAgentsTable, now: Date, gpuCount: number): GpuAgent {
  const summary = toAgentSummary(row, now);
  return {
    ...summary,
    id: row.id,
    tokenPrefix: row.token_prefix,
    createdAt: row.created_at,
    status: row.last_seen_at === null ? 'never-seen' : isSilent(row, now) ? 'stale' : 'ok',
    gpuCount,
    chassis: toGpuChassis(row.chassis, row.chassis_updated_at),
  };
}

export function toAlert(row: GpuAlertsTable): GpuAlert {
  return {
    id: row.id,
    host: row.host,
    gpuUuid: row.gpu_uuid,
    kind: row.kind as GpuAlert['kind'],
    level: row.level as GpuAlert['level'],
    message: row.message,
    raisedAt: row.raised_at,
    clearedAt: row.cleared_at,
  };
}

export function toFleetItem(
  row: GpusTable,
  agent: GpuAgentsTable | undefined,
  alerts: GpuAlert[],
  now: Date,
): GpuFleetItem {
  const reading = row.reading ? (JSON.parse(row.reading) as GpuReading) : undefined;
  return {
    uuid: row.uuid,
    host: row.host,
    index: row.gpu_index,
    name: row.name,
    status: row.status as GpuControlStatus,
    missing:
      agent?.last_seen_at !== undefined &&
      agent.last_seen_at !== null &&
      row.last_seen_at < agent.last_seen_at,
    temperatureC: reading?.temperatureC ?? null,
    memoryTemperatureC: reading?.memoryTemperatureC ?? null,
    fans: reading?.fans ?? [],
    powerDrawW: reading?.powerDrawW ?? null,
    powerLimitW: reading?.enforcedPowerLimitW ?? reading?.powerLimitW ?? null,
    powerDefaultLimitW: reading?.powerDefaultLimitW ?? null,
    utilizationGpuPct: reading?.utilizationGpuPct ?? null,
    utilizationMemoryPct: reading?.utilizationMemoryPct ?? null,
    memoryUsedBytes: reading?.memoryUsedBytes ?? null,
    memoryTotalBytes: reading?.memoryTotalBytes ?? null,
    sampledAt: row.sampled_at,
    fanDecisions: JSON.parse(row.fan_decisions) as FanDecision[],
    powerDecision: row.power_decision ? (JSON.parse(row.power_decision) as PowerDecision) : null,
    notes: JSON.parse(row.notes) as string[],
    agent: agent ? toAgentSummary(agent, now) : null,
    alerts: alerts.filter((a) => a.gpuUuid === row.uuid),
  };
}
