import * as z from 'zod';

/**
 * What a GPU agent reports: readings keyed by GPU UUID (indexes can change at boot), the agent's
 * fan and power decisions with their reasons, and recent events. Served at the agent's `/state`
 * and sent to Skyy Command as heartbeats. A value the driver does not report (`[N/A]`,
 * `[Not Supported]`, …) is absent, never zero.
 */

export const gpuFanReadingSchema = z.object({
  /** Fan index on this GPU (NVML fan number; nvidia-smi only exposes fan 0). */
  fan: z.number().int().min(0),
  speedPct: z.number().min(0).optional(),
});

export const gpuReadingSchema = z.object({
  uuid: z.string(),
  index: z.number().int().min(0),
  name: z.string().optional(),
  pciBusId: z.string().optional(),
  temperatureC: z.number().optional(),
  memoryTemperatureC: z.number().optional(),
  fans: z.array(gpuFanReadingSchema),
  /** Range the driver accepts for manual fan speeds (nvmlDeviceGetMinMaxFanSpeed). */
  fanMinPct: z.number().optional(),
  fanMaxPct: z.number().optional(),
  powerDrawW: z.number().optional(),
  powerLimitW: z.number().optional(),
  enforcedPowerLimitW: z.number().optional(),
  powerDefaultLimitW: z.number().optional(),
  powerMinLimitW: z.number().optional(),
  powerMaxLimitW: z.number().optional(),
  utilizationGpuPct: z.number().optional(),
  utilizationMemoryPct: z.number().optional(),
  memoryTotalBytes: z.number().optional(),
  memoryUsedBytes: z.number().optional(),
  memoryFreeBytes: z.number().optional(),
  clockGraphicsMhz: z.number().optional(),
  clockSmMhz: z.number().optional(),
  clockMemoryMhz: z.number().optional(),
  /** Bitmask of active clock event (throttle) reasons, as nvmlDeviceGetCurrentClocksEventReasons. */
  clocksEventReasons: z.number().int().min(0).optional(),
  /** Performance state number: 0 for P0 … 15 for P15. */
  pstate: z.number().int().min(0).max(15).optional(),
  sampledAt: z.iso.datetime(),
});

export const fanDecisionSchema = z.object({
  fan: z.number().int().min(0),
  fromPct: z.number().optional(),
  toPct: z.number(),
  changed: z.boolean(),
  reason: z.string(),
});

export const powerDecisionSchema = z.object({
  fromW: z.number().optional(),
  toW: z.number(),
  changed: z.boolean(),
  reason: z.string(),
});

export const gpuControlStatusSchema = z.enum([
  /** Readings fresh, rule applied. */
  'ok',
  /** Reading failed or stale: fans forced to 100 %. */
  'failsafe',
  /** At or above warning_temp: fans max / power min. */
  'warning',
  /** At or above shutdown_temp: the protection action ran (or is confirming). */
  'shutdown',
  /** `control: false` in the config, or no writer for this GPU. */
  'monitor-only',
]);

export const gpuAgentGpuStateSchema = z.object({
  uuid: z.string(),
  index: z.number().int().min(0),
  name: z.string().optional(),
  status: gpuControlStatusSchema,
  reading: gpuReadingSchema.optional(),
  fans: z.array(fanDecisionSchema),
  power: powerDecisionSchema.optional(),
  /** Why control is limited, e.g. "power limits not reported"; empty when none. */
  notes: z.array(z.string()),
});

export const gpuAgentEventKindSchema = z.enum([
  'agent_started',
  'agent_stopping',
  'startup_applied',
  'reading_failed',
  'reading_recovered',
  'sampler_restarted',
  'warning_temp',
  'shutdown_temp',
  'protection_action',
  'write_failed',
  'config_applied',
  'config_rejected',
  'restored_defaults',
  'chassis_control_started',
  'chassis_reading_failed',
  'chassis_reading_recovered',
  'chassis_write_failed',
  'chassis_restored',
  'no_gpus',
]);

export const gpuAgentEventSchema = z.object({
  at: z.iso.datetime(),
  level: z.enum(['info', 'warn', 'error', 'critical']),
  kind: gpuAgentEventKindSchema,
  gpu: z.string().optional(),
  message: z.string(),
});

/** One BMC fan zone of the chassis controller. */
export const chassisZoneStateSchema = z.object({
  /** As ipmitool is given it, e.g. `0x00`. */
  zone: z.string(),
  /** Level decided for this zone, in percent of duty. */
  levelPct: z.number(),
  /** Level last written successfully; absent in dry-run and before the first write. */
  appliedPct: z.number().optional(),
});

/**
 * The chassis fan controller (Supermicro H12: CPU Tctl → IPMI zone duty), present when the
 * config has an enabled `chassis:` block. `failsafe`: no good CPU reading, every zone at 100 %.
 */
export const chassisStateSchema = z.object({
  status: z.enum(['starting', 'ok', 'failsafe']),
  /** Where the temperature comes from, e.g. `k10temp Tctl (sensors -j)`. */
  sensor: z.string(),
  /** Hottest matching sensor at the last good reading. */
  temperatureC: z.number().optional(),
  readingAt: z.iso.datetime().optional(),
  levelPct: z.number().optional(),
  zones: z.array(chassisZoneStateSchema),
  /** Why the level is what it is, e.g. `47 °C ≥ 47 °C: 40 → 50 %`. */
  reason: z.string().optional(),
  /** What is wrong while status is failsafe or writes fail. */
  alert: z.string().optional(),
  readingFailures: z.number().int().min(0),
  writeFailures: z.number().int().min(0),
});

export const gpuAgentStateSchema = z.object({
  host: z.string(),
  version: z.string(),
  /** `dry-run` computes and logs decisions without writing. */
  mode: z.enum(['control', 'dry-run']),
  /** Where readings come from. */
  source: z.enum(['nvml', 'nvidia-smi', 'none']),
  configSource: z.enum(['server', 'cache', 'local', 'api']),
  configLoadedAt: z.iso.datetime().optional(),
  lastSampleAt: z.iso.datetime().optional(),
  /** True while no sample arrived within 3 poll intervals. */
  stale: z.boolean(),
  gpus: z.array(gpuAgentGpuStateSchema),
  /** Chassis fans, when this agent controls them (optional: older agents never send it). */
  chassis: chassisStateSchema.optional(),
  events: z.array(gpuAgentEventSchema),
});

export type GpuFanReading = z.infer<typeof gpuFanReadingSchema>;
export type GpuReading = z.infer<typeof gpuReadingSchema>;
export type FanDecision = z.infer<typeof fanDecisionSchema>;
export type PowerDecision = z.infer<typeof powerDecisionSchema>;
export type GpuControlStatus = z.infer<typeof gpuControlStatusSchema>;
export type GpuAgentGpuState = z.infer<typeof gpuAgentGpuStateSchema>;
export type GpuAgentEventKind = z.infer<typeof gpuAgentEventKindSchema>;
export type GpuAgentEvent = z.infer<typeof gpuAgentEventSchema>;
export type GpuAgentState = z.infer<typeof gpuAgentStateSchema>;
export type ChassisZoneState = z.infer<typeof chassisZoneStateSchema>;
export type ChassisState = z.infer<typeof chassisStateSchema>;
