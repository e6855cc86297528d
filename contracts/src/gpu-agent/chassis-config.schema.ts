import { z } from 'zod';

/**
 * The optional `chassis:` block of gpu_config.yaml: the GPU agent also drives the chassis fans of
 * Supermicro H12 boards, as the user's hs-fan-daemon.sh does (CPU Tctl from lm-sensors → IPMI zone
 * duty in 10 % levels with hysteresis and a minimum level, BMC in Full Speed mode). Every default
 * is the value of that script and its systemd unit, so `chassis: {}` behaves like the daemon.
 */

/** The levels the user's script knows, in percent of duty: 20, 30, …, 100. */
export const CHASSIS_LEVELS = [20, 30, 40, 50, 60, 70, 80, 90, 100] as const;

/** Modes the H12 BMC accepts after control ends (`ipmitool raw 0x30 0x45 0x01 <mode>`). */
export const BMC_RESTORE_MODES = { full: 0x01, optimal: 0x02, heavy_io: 0x04 } as const;

/** A zone as the user writes it (`0x00`, quoted or not) or as a number. */
const zoneSchema = z.union([
  z.number().int().min(0).max(0xff),
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{1,2}$/, 'expected a zone like 0x00 or 0x01')
    .transform((text) => Number.parseInt(text, 16)),
]);

const sensorSchema = z.strictObject({
  /** lm-sensors' `sensors`; run as `sensors -j`, falling back to its text output when -j is unknown. */
  command: z.string().min(1).default('sensors'),
  /** Chip name prefix (`k10temp` matches k10temp-pci-00c3 and the second socket's k10temp-pci-00cb). */
  chip: z.string().min(1).default('k10temp'),
  /** Feature label; the hottest one across matching chips drives the fans. */
  label: z.string().min(1).default('Tctl'),
});

export const chassisConfigSchema = z
  .strictObject({
    /** A present block is on unless `enabled: false`. */
    enabled: z.boolean().default(true),
    /** How often the CPU temperature is read and the level may change (the script's POLL_INTERVAL). */
    poll_interval_sec: z.number().min(0.05).max(3600).default(5),
    /** BMC fan zones (FAN_ZONES): on H12, 0x00 = FAN1..8, 0x01 = CPU headers FANA/FANB. */
    zones: z.array(zoneSchema).min(1).max(8).default([0x00, 0x01]),
    /** Lowest level in percent (FAN_MIN_LEVEL): 20 … 100 in steps of 10. */
    min_level: z.number().int().min(20).max(100).multipleOf(10, 'must be a multiple of 10').default(40),
    /** °C past a band edge before the level moves (2 in the script: 40 → 50 at 47 °C, 50 → 40 at 43 °C). */
    hysteresis: z.number().min(0).max(20).default(2),
    /**
     * °C from which each level above 20 % applies: 30 % from the first, 40 % from the second, …,
     * 100 % from the eighth. The script's bands: 35, 40, 45, 50, 55, 60, 65, 70.
     */
    thresholds: z.array(z.number().min(-40).max(150)).length(8).default([35, 40, 45, 50, 55, 60, 65, 70]),
    sensor: sensorSchema.prefault({}),
    /** ipmitool binary (IPMITOOL_BIN); looked up on PATH unless absolute. */
    ipmitool: z.string().min(1).default('ipmitool'),
    /** BMC mode set when control ends (stop, crash via ExecStopPost, `enabled: false`). */
    restore_mode: z.enum(['optimal', 'heavy_io', 'full']).default('heavy_io'),
    /** Longest a `sensors` or `ipmitool` call may take before it counts as failed (a hung BMC must not hang control). */
    command_timeout_sec: z.number().min(0.1).max(60).default(3),
  })
  .superRefine((chassis, ctx) => {
    chassis.thresholds.forEach((value, i) => {
      const before = chassis.thresholds[i - 1];
      if (before !== undefined && value <= before) {
        ctx.addIssue({
          code: 'custom',
          message: `must be above the previous threshold (${before})`,
          path: ['thresholds', i],
        });
      }
    });
    const seen = new Set<number>();
    chassis.zones.forEach((zone, i) => {
      if (seen.has(zone)) ctx.addIssue({ code: 'custom', message: 'zone listed twice', path: ['zones', i] });
      seen.add(zone);
    });
  });

export type ChassisConfig = z.infer<typeof chassisConfigSchema>;
export type BmcRestoreMode = keyof typeof BMC_RESTORE_MODES;
