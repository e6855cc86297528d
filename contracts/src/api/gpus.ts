import * as z from 'zod';
import {
  chassisStateSchema,
  fanDecisionSchema,
  gpuControlStatusSchema,
  gpuFanReadingSchema,
  powerDecisionSchema,
} from '../gpu-agent/gpu-agent-state.schema.ts';
import { idSchema, isoDateTime } from './common.ts';

/**
 * The GPU fleet as Skyy Command sees it: GPU agents (one per host, each with its own token),
 * their central gpu_config.yaml (per host, else the fleet default), the latest state of every
 * GPU from the agents' heartbeats, readings history for sparklines, and alerts.
 */

/** A host name as the agent sends it (`--host`, default the machine's hostname). */
export const gpuAgentHostSchema = z
  .string()
  .trim()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'a host name: letters, digits, dots, dashes and underscores');

export const gpuAgentCreateSchema = z.strictObject({ host: gpuAgentHostSchema });
export type GpuAgentCreate = z.output<typeof gpuAgentCreateSchema>;

export const gpuAgentSummarySchema = z.object({
  host: z.string(),
  /** null until the first heartbeat. */
  version: z.string().nullable(),
  mode: z.enum(['control', 'dry-run']).nullable(),
  source: z.enum(['nvml', 'nvidia-smi', 'none']).nullable(),
  configSource: z.enum(['server', 'cache', 'local', 'api']).nullable(),
  lastSeenAt: isoDateTime.nullable(),
  /** No heartbeat for 3 intervals (90 s), or the agent itself reports stale readings. */
  stale: z.boolean(),
});
export type GpuAgentSummary = z.infer<typeof gpuAgentSummarySchema>;

/** One BMC fan zone of the host's chassis. */
export const gpuChassisZoneSchema = z.object({
  /** As ipmitool is given it, e.g. `0x00`. */
  zone: z.string(),
  /** Duty the agent decided for this zone, in percent. */
  dutyPct: z.number(),
  /** Duty last written to the BMC; null in dry-run and before the first write. */
  appliedPct: z.number().nullable(),
});
export type GpuChassisZone = z.infer<typeof gpuChassisZoneSchema>;

/**
 * The chassis fans of the agent's host (Supermicro H12: CPU temperature → IPMI zone duty) from
 * its latest heartbeat. `failsafe`: no good CPU reading, every zone at 100 %.
 */
export const gpuChassisSchema = z.object({
  status: chassisStateSchema.shape.status,
  /** Where the CPU temperature comes from, e.g. `k10temp Tctl (sensors -j)`. */
  sensor: z.string(),
  /** Hottest matching sensor at the last good reading; null before the first. */
  cpuTemperatureC: z.number().nullable(),
  readingAt: isoDateTime.nullable(),
  zones: z.array(gpuChassisZoneSchema),
  /** Why the level is what it is, e.g. `47 °C ≥ 47 °C: 40 → 50 %`. */
  reason: z.string().nullable(),
  /** What is wrong while in fail-safe or while writes fail. */
  alert: z.string().nullable(),
  readingFailures: z.number().int(),
  writeFailures: z.number().int(),
  /** When the heartbeat that carried this state arrived. */
  updatedAt: isoDateTime,
});
export type GpuChassis = z.infer<typeof gpuChassisSchema>;

export const gpuAgentSchema = gpuAgentSummarySchema.extend({
  id: idSchema,
  /** The first characters of the token, to recognise it; the token itself is shown once. */
  tokenPrefix: z.string(),
  createdAt: isoDateTime,
  /** `never-seen` until the first heartbeat, `stale` when silent for 3 heartbeats. */
  status: z.enum(['never-seen', 'ok', 'stale']),
  gpuCount: z.number().int(),
  /** The host's chassis fans; null when the latest heartbeat had none (not controlled, older agent). */
  chassis: gpuChassisSchema.nullable(),
});
export type GpuAgent = z.infer<typeof gpuAgentSchema>;

export const gpuAgentListSchema = z.object({ items: z.array(gpuAgentSchema) });
export type GpuAgentList = z.infer<typeof gpuAgentListSchema>;

/** The token is shown once: put it in the host's /etc/skyy/gpu-agent/agent.token. */
export const gpuAgentCreatedSchema = z.object({ agent: gpuAgentSchema, token: z.string() });
export type GpuAgentCreated = z.infer<typeof gpuAgentCreatedSchema>;

// ---- central config

export const gpuConfigPutSchema = z.strictObject({
  /** gpu_config.yaml text, validated with gpuAgentConfigSchema; errors name the key and line. */
  yaml: z.string().min(1).max(200_000),
});
export type GpuConfigPut = z.output<typeof gpuConfigPutSchema>;

export const gpuConfigSchema = z.object({
  /** The host this config was asked for; null for the fleet default. */
  host: z.string().nullable(),
  /** `host`: the host's own config; `default`: the fleet default that the host inherits. */
  scope: z.enum(['host', 'default']),
  yaml: z.string(),
  /** What the agent endpoint sends as ETag (a hash of the YAML text). */
  etag: z.string(),
  updatedAt: isoDateTime,
  updatedBy: z.string().nullable(),
});
export type GpuConfig = z.infer<typeof gpuConfigSchema>;

/** The longest an agent's config request is held; below the 60 s idle timeout of common proxies (nginx). */
export const GPU_CONFIG_MAX_WAIT_SEC = 55;

export const gpuAgentConfigQuerySchema = z.strictObject({
  /**
   * Long-poll: with If-None-Match equal to the current ETag, hold the request up to this many
   * seconds until the host's config changes (then 200), else 304. 0 answers at once.
   */
  wait: z.coerce.number().int().min(0).max(GPU_CONFIG_MAX_WAIT_SEC).default(0),
});
export type GpuAgentConfigQuery = z.output<typeof gpuAgentConfigQuerySchema>;

// ---- alerts

/** `agent_stale` and `chassis_failsafe` are about the host as a whole; the others about one GPU. */
export const gpuAlertKindSchema = z.enum([
  'agent_stale',
  'chassis_failsafe',
  'failsafe',
  'warning',
  'shutdown',
]);

export const gpuAlertSchema = z.object({
  id: idSchema,
  host: z.string(),
  /** null for alerts about the host as a whole (agent stale, chassis in fail-safe). */
  gpuUuid: z.string().nullable(),
  kind: gpuAlertKindSchema,
  level: z.enum(['warn', 'error', 'critical']),
  message: z.string(),
  raisedAt: isoDateTime,
  /** null while the alert is active. */
  clearedAt: isoDateTime.nullable(),
});
export type GpuAlert = z.infer<typeof gpuAlertSchema>;

// ---- fleet

export const gpuFleetQuerySchema = z.strictObject({
  /** Only this host's GPUs and alerts. */
  host: gpuAgentHostSchema.optional(),
});
export type GpuFleetQuery = z.output<typeof gpuFleetQuerySchema>;

export const gpuFleetItemSchema = z.object({
  uuid: z.string(),
  host: z.string(),
  index: z.number().int(),
  name: z.string().nullable(),
  status: gpuControlStatusSchema,
  /** Not in the host's latest heartbeat any more (fell off the bus, removed). */
  missing: z.boolean(),
  temperatureC: z.number().nullable(),
  memoryTemperatureC: z.number().nullable(),
  fans: z.array(gpuFanReadingSchema),
  powerDrawW: z.number().nullable(),
  powerLimitW: z.number().nullable(),
  powerDefaultLimitW: z.number().nullable(),
  utilizationGpuPct: z.number().nullable(),
  utilizationMemoryPct: z.number().nullable(),
  memoryUsedBytes: z.number().nullable(),
  memoryTotalBytes: z.number().nullable(),
  sampledAt: isoDateTime.nullable(),
  /** The agent's decisions with their reasons. */
  fanDecisions: z.array(fanDecisionSchema),
  powerDecision: powerDecisionSchema.nullable(),
  notes: z.array(z.string()),
  /** The agent controlling this GPU; null when its host has no active agent any more. */
  agent: gpuAgentSummarySchema.nullable(),
  /** Active alerts of this GPU. */
  alerts: z.array(gpuAlertSchema),
});
export type GpuFleetItem = z.infer<typeof gpuFleetItemSchema>;

export const gpuFleetSchema = z.object({
  items: z.array(gpuFleetItemSchema),
  /** Every active alert, including agent-level ones (stale agents). */
  alerts: z.array(gpuAlertSchema),
});
export type GpuFleet = z.infer<typeof gpuFleetSchema>;

// ---- history

export const gpuHistoryQuerySchema = z.strictObject({
  /** ISO date-time; default 24 h before `to`. */
  from: z.iso.datetime({ offset: true }).optional(),
  /** ISO date-time; default now. */
  to: z.iso.datetime({ offset: true }).optional(),
  /** Seconds per point; default: the span divided into about 240 points, at least 30 s. */
  step: z.coerce.number().int().min(30).max(86_400).optional(),
});
export type GpuHistoryQuery = z.output<typeof gpuHistoryQuerySchema>;

export const gpuHistoryPointSchema = z.object({
  /** Start of the bucket. */
  at: isoDateTime,
  /** Readings averaged into this point. */
  samples: z.number().int(),
  temperatureC: z.number().nullable(),
  /** Mean speed of the GPU's fans. */
  fanPct: z.number().nullable(),
  powerDrawW: z.number().nullable(),
  powerLimitW: z.number().nullable(),
  utilizationGpuPct: z.number().nullable(),
});
export type GpuHistoryPoint = z.infer<typeof gpuHistoryPointSchema>;

export const gpuHistorySchema = z.object({
  uuid: z.string(),
  from: isoDateTime,
  to: isoDateTime,
  stepSeconds: z.number().int(),
  points: z.array(gpuHistoryPointSchema),
});
export type GpuHistory = z.infer<typeof gpuHistorySchema>;

// ---- live events (SSE, staff only)

/** `gpu.reading`: one per accepted heartbeat, with the host's GPUs as the fleet shows them. */
export const gpuReadingEventSchema = z.object({ host: z.string(), gpus: z.array(gpuFleetItemSchema) });
/** `gpu.alert`: an alert raised (clearedAt null) or cleared. */
export const gpuAlertEventSchema = gpuAlertSchema;
