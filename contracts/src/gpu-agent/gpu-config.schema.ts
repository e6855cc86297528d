import { z } from 'zod';
import { chassisConfigSchema } from './chassis-config.schema.ts';

/**
 * gpu_config.yaml, the GPU agent's configuration. The user's existing file (poll_interval_sec,
 * protection, defaults.{fan_control,power_control,startup}) is accepted unchanged; every other key
 * is an optional addition with a documented default. Unknown keys are errors so that a typo in a
 * safety setting is reported with its line instead of being ignored.
 *
 * The same schema validates the copy served by Skyy Command (`GET /api/v1/gpu-agents/<host>/config`)
 * and the body of the agent's `PUT /config`.
 */

const celsius = z.number().min(-40).max(150);
const percent = z.number().min(0).max(100);

const fanControlShape = {
  /** Lower edge of the temperature band (°C); the target is the middle of the band. */
  min_temp: celsius,
  /** Upper edge of the temperature band (°C). */
  max_temp: celsius,
  min_speed: percent,
  max_speed: percent,
  /** Percent of fan speed per °C of error. */
  gain: z.number().positive().max(100),
  /** Largest change per poll, in percent. */
  max_step: z.number().positive().max(100),
  /** °C beyond the target before a correction starts; a correction runs until the target is reached. Default 2. */
  hysteresis: z.number().min(0).max(20),
  /** Lowest speed (%) this card's fans really spin at; commands never go below it. */
  floor: percent,
};

const powerControlShape = {
  min_temp: celsius,
  max_temp: celsius,
  /** Lowest power limit, in `unit` (percent of the default limit unless `unit: watts`). */
  min_pl: z.number().positive().max(5000),
  max_pl: z.number().positive().max(5000),
  gain: z.number().positive().max(1000),
  max_step: z.number().positive().max(1000),
  /** How min_pl / max_pl / gain / max_step are expressed. Default `percent` (of the default power limit). */
  unit: z.enum(['percent', 'watts']),
  hysteresis: z.number().min(0).max(20),
};

const startupShape = {
  /** Fan speed (%) applied to every fan before the first control step. */
  init_fan_speed: percent,
  /** Power limit applied before the first control step, in percent of the default limit. */
  init_power_limit_pct: z.number().positive().max(200),
  /** Same in watts; wins over init_power_limit_pct when both are set. */
  init_power_limit_w: z.number().positive().max(5000),
};

/** The rule keys of the user's file are required in `defaults`; the additions are optional. */
export const fanControlSchema = z.strictObject({
  ...fanControlShape,
  hysteresis: fanControlShape.hysteresis.optional(),
  floor: fanControlShape.floor.optional(),
});
export const powerControlSchema = z.strictObject({
  ...powerControlShape,
  unit: powerControlShape.unit.optional(),
  hysteresis: powerControlShape.hysteresis.optional(),
});

/** Every key optional: what a `gpus[]` entry may override. */
export const fanControlOverrideSchema = fanControlSchema.partial();
export const powerControlOverrideSchema = powerControlSchema.partial();
export const startupOverrideSchema = z.strictObject(startupShape).partial();

export const protectionSchema = z.strictObject({
  /** Host shutdown is only ever run when this is true. */
  enable_auto_shutdown: z.boolean().default(false),
  /** At or above this temperature: fans to max, power to min, then `action`. */
  shutdown_temp: celsius,
  /** Fans to their maximum when a GPU reaches warning_temp. */
  max_fan_on_warning: z.boolean().default(true),
  /** Power limit to its minimum when a GPU reaches warning_temp. */
  min_power_on_warning: z.boolean().default(true),
  /** Temperature of the warning stage; default shutdown_temp − 5. */
  warning_temp: celsius.optional(),
  /**
   * What happens at shutdown_temp after fans and power are set: `alert` only, `stop_workloads`
   * (stop_containers / stop_vms) or `shutdown` (needs enable_auto_shutdown). Default: `shutdown`
   * when enable_auto_shutdown is true, else `alert`.
   */
  action: z.enum(['alert', 'stop_workloads', 'shutdown']).optional(),
  stop_containers: z.array(z.string().min(1)).default([]),
  /** Proxmox VM ids stopped with `qm shutdown`. */
  stop_vms: z.array(z.number().int().positive()).default([]),
  /** Consecutive readings at or above shutdown_temp before the action runs (a single glitch never shuts a host down). */
  confirm_readings: z.number().int().min(1).max(20).default(2),
});

/** Which GPUs an entry of `gpus[]` applies to: exactly one of index, uuid or model (substring of the name). */
const gpuOverrideSchema = z
  .strictObject({
    index: z.number().int().min(0).optional(),
    uuid: z
      .string()
      .regex(/^GPU-[0-9a-fA-F-]+$/, 'expected a GPU UUID like GPU-1a2b…')
      .optional(),
    model: z.string().min(1).optional(),
    /** false: read and report this GPU but never write to it. */
    control: z.boolean().optional(),
    fan_control: fanControlOverrideSchema.optional(),
    power_control: powerControlOverrideSchema.optional(),
    startup: startupOverrideSchema.optional(),
  })
  .superRefine((entry, ctx) => {
    const selectors = [entry.index, entry.uuid, entry.model].filter((value) => value !== undefined);
    if (selectors.length !== 1) {
      ctx.addIssue({ code: 'custom', message: 'set exactly one of index, uuid or model', path: [] });
    }
  });

export const gpuAgentConfigSchema = z
  .strictObject({
    poll_interval_sec: z.number().min(0.05).max(3600),
    protection: protectionSchema,
    defaults: z.strictObject({
      fan_control: fanControlSchema,
      power_control: powerControlSchema,
      startup: startupOverrideSchema.default({}),
    }),
    gpus: z.array(gpuOverrideSchema).default([]),
    /** Supermicro H12 chassis fans driven by CPU temperature; absent: not controlled. */
    chassis: chassisConfigSchema.optional(),
  })
  .superRefine((config, ctx) => {
    checkFan(config.defaults.fan_control, ['defaults', 'fan_control'], ctx);
    checkPower(config.defaults.power_control, ['defaults', 'power_control'], ctx);
    config.gpus.forEach((entry, i) => {
      if (entry.fan_control) {
        checkFan({ ...config.defaults.fan_control, ...entry.fan_control }, ['gpus', i, 'fan_control'], ctx);
      }
      if (entry.power_control) {
        checkPower(
          { ...config.defaults.power_control, ...entry.power_control },
          ['gpus', i, 'power_control'],
          ctx,
        );
      }
    });
    const { warning_temp, shutdown_temp, action, enable_auto_shutdown } = config.protection;
    if (warning_temp !== undefined && warning_temp > shutdown_temp) {
      ctx.addIssue({
        code: 'custom',
        message: `must not be above shutdown_temp (${shutdown_temp})`,
        path: ['protection', 'warning_temp'],
      });
    }
    if (action === 'shutdown' && !enable_auto_shutdown) {
      ctx.addIssue({
        code: 'custom',
        message: 'action "shutdown" needs enable_auto_shutdown: true',
        path: ['protection', 'action'],
      });
    }
  });

type FanControlValues = z.infer<typeof fanControlSchema>;
type PowerControlValues = z.infer<typeof powerControlSchema>;

function checkFan(fan: FanControlValues, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (fan.min_temp >= fan.max_temp) {
    ctx.addIssue({ code: 'custom', message: 'must be above min_temp', path: [...path, 'max_temp'] });
  }
  if (fan.min_speed > fan.max_speed) {
    ctx.addIssue({ code: 'custom', message: 'must not be below min_speed', path: [...path, 'max_speed'] });
  }
}

function checkPower(power: PowerControlValues, path: (string | number)[], ctx: z.RefinementCtx): void {
  if (power.min_temp >= power.max_temp) {
    ctx.addIssue({ code: 'custom', message: 'must be above min_temp', path: [...path, 'max_temp'] });
  }
  if (power.min_pl > power.max_pl) {
    ctx.addIssue({ code: 'custom', message: 'must not be below min_pl', path: [...path, 'max_pl'] });
  }
}

export type GpuAgentConfig = z.infer<typeof gpuAgentConfigSchema>;
export type GpuAgentConfigInput = z.input<typeof gpuAgentConfigSchema>;
export type FanControlConfig = FanControlValues;
export type PowerControlConfig = PowerControlValues;
export type StartupConfig = z.infer<typeof startupOverrideSchema>;
export type ProtectionConfig = z.infer<typeof protectionSchema>;
export type GpuOverride = z.infer<typeof gpuOverrideSchema>;
