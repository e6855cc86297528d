import { z } from 'zod';

/**
 * The simulated GPUs and their thermal model. Heat in is the board power, heat out grows with
 * fan speed; the die and heatsink have a heat capacity (thermal inertia), so temperature follows
 * power and fans with a delay:
 *
 *   C · dT/dt = P − k(fan) · (T − ambient),   k(fan) = k0 + k1 · fan/100
 *
 * Power is what the load demands, capped by the power limit (the driver then reports the
 * SW power cap clock event reason). Fans ramp toward their target; in automatic mode the target
 * follows a driver-like curve, in manual mode it is what NVML / nvidia-settings set.
 */

export const simFanSchema = z.object({
  /** Speed the fan is at now (%). */
  speedPct: z.number().min(0).max(100),
  /** Speed it is ramping to (%). */
  targetPct: z.number().min(0).max(100),
  /** true once set through NVML / nvidia-settings; false is the driver's automatic curve. */
  manual: z.boolean(),
});

export const simThermalSchema = z.object({
  ambientC: z.number(),
  /** J/°C of die + heatsink. */
  heatCapacityJPerC: z.number().positive(),
  /** W/°C carried away with fans stopped (k0). */
  conductanceBaseWPerC: z.number().positive(),
  /** Extra W/°C at 100 % fan (k1). */
  conductanceFanWPerC: z.number().min(0),
  /** How fast fans follow their target (%/s). */
  fanRampPctPerSec: z.number().positive(),
});

export const simGpuSchema = z.object({
  index: z.number().int().min(0),
  uuid: z.string(),
  name: z.string(),
  pciBusId: z.string(),
  serial: z.string().optional(),
  vbios: z.string().optional(),
  /** Capture file (base name) whose -q and --query-gpu output this GPU is answered from. */
  capture: z.string().optional(),
  fans: z.array(simFanSchema),
  fanMinPct: z.number().min(0).max(100),
  fanMaxPct: z.number().min(0).max(100),
  /** Fan speed of the automatic curve below 50 °C (0 on cards that stop their fans when idle). */
  autoIdleFanPct: z.number().min(0).max(100),
  powerLimitW: z.number().positive(),
  defaultPowerLimitW: z.number().positive(),
  minPowerLimitW: z.number().positive(),
  maxPowerLimitW: z.number().positive(),
  idlePowerW: z.number().positive(),
  /** What full load would draw without a power limit. */
  fullLoadPowerW: z.number().positive(),
  /** 0 … 1. */
  load: z.number().min(0).max(1),
  temperatureC: z.number(),
  slowdownTempC: z.number(),
  shutdownTempC: z.number(),
  memoryTotalMiB: z.number().positive(),
  maxGraphicsClockMhz: z.number().positive(),
  maxMemoryClockMhz: z.number().positive(),
  thermal: simThermalSchema,
  /** Field → raw text answered instead of the model's value, e.g. `{"temperature.gpu": "[Unknown Error]"}`. */
  overrides: z.record(z.string(), z.string()).default({}),
  /** Last power drawn (W), kept so readings between steps are consistent. */
  powerDrawW: z.number().min(0),
});

export const simStateSchema = z.object({
  version: z.literal(1),
  driverVersion: z.string(),
  cudaVersion: z.string(),
  /** Wall-clock ms of the last model step; readers advance the model from here to now. */
  updatedAtMs: z.number(),
  /** Simulated seconds per real second (tests speed the world up). */
  timeScale: z.number().positive().default(1),
  faults: z
    .object({
      /** Every nvidia-smi invocation stops answering (a hung driver). */
      hang: z.boolean().default(false),
      /** Every nvidia-smi invocation prints `dieMessage` and exits with this code. */
      exitCode: z.number().int().min(1).max(255).optional(),
      dieMessage: z.string().optional(),
      /** Query fields this "driver" does not know (simulates an older nvidia-smi). */
      rejectFields: z.array(z.string()).default([]),
      /** Writes (-pl, fan) fail as they do without root. */
      noPermission: z.boolean().default(false),
    })
    .default({ hang: false, rejectFields: [], noPermission: false }),
  gpus: z.array(simGpuSchema),
});

export type SimFan = z.infer<typeof simFanSchema>;
export type SimGpu = z.infer<typeof simGpuSchema>;
export type SimState = z.infer<typeof simStateSchema>;

/** NVML clock event reason bits the model can raise. */
export const REASON = {
  gpuIdle: 0x1,
  swPowerCap: 0x4,
  swThermalSlowdown: 0x20,
  hwThermalSlowdown: 0x40,
} as const;

const MAX_STEP_SEC = 0.5;

/** Advances every GPU by `seconds` of simulated time, in small steps for a stable integration. */
export function advance(state: SimState, seconds: number): void {
  let left = Math.max(0, seconds);
  while (left > 1e-9) {
    const dt = Math.min(MAX_STEP_SEC, left);
    for (const gpu of state.gpus) stepGpu(gpu, dt);
    left -= dt;
  }
}

function stepGpu(gpu: SimGpu, dt: number): void {
  for (const fan of gpu.fans) {
    if (!fan.manual) fan.targetPct = autoFanTarget(gpu);
    const delta = fan.targetPct - fan.speedPct;
    const maxMove = gpu.thermal.fanRampPctPerSec * dt;
    fan.speedPct += Math.max(-maxMove, Math.min(maxMove, delta));
  }
  gpu.powerDrawW = powerDraw(gpu);
  const k = conductance(gpu);
  const dT = (gpu.powerDrawW - k * (gpu.temperatureC - gpu.thermal.ambientC)) / gpu.thermal.heatCapacityJPerC;
  gpu.temperatureC += dT * dt;
}

export function meanFanPct(gpu: SimGpu): number {
  if (gpu.fans.length === 0) return 0;
  return gpu.fans.reduce((sum, fan) => sum + fan.speedPct, 0) / gpu.fans.length;
}

function conductance(gpu: SimGpu): number {
  return gpu.thermal.conductanceBaseWPerC + (gpu.thermal.conductanceFanWPerC * meanFanPct(gpu)) / 100;
}

function demandW(gpu: SimGpu): number {
  return gpu.idlePowerW + gpu.load * (gpu.fullLoadPowerW - gpu.idlePowerW);
}

/** Power drawn: the demand, capped by the power limit, halved while thermally slowed down. */
export function powerDraw(gpu: SimGpu): number {
  const capped = Math.min(demandW(gpu), gpu.powerLimitW);
  return gpu.temperatureC >= gpu.slowdownTempC ? Math.max(gpu.idlePowerW, capped / 2) : capped;
}

function autoFanTarget(gpu: SimGpu): number {
  const t = gpu.temperatureC;
  if (t < 50) return gpu.autoIdleFanPct;
  const base = Math.max(gpu.autoIdleFanPct, gpu.fanMinPct);
  return Math.min(gpu.fanMaxPct, base + (t - 50) * 2.5);
}

export function clockEventReasons(gpu: SimGpu): number {
  let mask = 0;
  if (gpu.load < 0.05) mask |= REASON.gpuIdle;
  if (demandW(gpu) > gpu.powerLimitW) mask |= REASON.swPowerCap;
  if (gpu.temperatureC >= gpu.slowdownTempC) mask |= REASON.hwThermalSlowdown;
  return mask;
}

export function utilizationPct(gpu: SimGpu): number {
  return Math.round(gpu.load * 100);
}

export function memoryUsedMiB(gpu: SimGpu): number {
  return Math.round(gpu.memoryTotalMiB * (0.03 + 0.6 * gpu.load));
}

export function graphicsClockMhz(gpu: SimGpu): number {
  if (gpu.load < 0.05) return 210;
  const headroom = Math.min(1, gpu.powerLimitW / demandW(gpu));
  const slowed = gpu.temperatureC >= gpu.slowdownTempC ? 0.5 : 1;
  return Math.round(gpu.maxGraphicsClockMhz * (0.85 + 0.15 * headroom) * slowed);
}

export function memoryClockMhz(gpu: SimGpu): number {
  return gpu.load < 0.05 ? 405 : gpu.maxMemoryClockMhz - 250;
}

export function pstate(gpu: SimGpu): number {
  return gpu.load < 0.05 ? 8 : 2;
}

/** The temperature the GPU settles at with the current load, power limit and fan speeds. */
export function steadyStateTempC(gpu: SimGpu): number {
  return gpu.thermal.ambientC + powerDraw(gpu) / conductance(gpu);
}
