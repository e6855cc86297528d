import { z } from 'zod';

/**
 * A Supermicro H12 host as the chassis fan controller sees it: EPYC sockets whose Tctl lm-sensors
 * reports, and a BMC with fan modes and per-zone duty that ipmitool talks to.
 *
 *   C · dT/dt = P − (k0 + k1 · duty/100) · (T − ambient)      P = idle + load · (full_load − idle)
 *
 * duty is the mean effective duty of zones 0x00 (system fans) and 0x01 (CPU headers). In Full
 * Speed mode a zone runs at the duty last written to it (100 % until then, as on the real BMC);
 * in the automatic modes the BMC's own level applies and written duties are ignored.
 */

export const BMC_MODES = { standard: 0x00, full: 0x01, optimal: 0x02, heavy_io: 0x04 } as const;
export type BmcModeName = keyof typeof BMC_MODES;

/** Duty the BMC itself runs in each automatic mode (Optimal is the one the user found too hot). */
const AUTOMATIC_DUTY: Readonly<Record<number, number>> = { 0x00: 50, 0x02: 30, 0x04: 60 };

export const sensorFaultSchema = z.enum(['none', 'error', 'hang', 'no-tctl', 'no-json']);
export const ipmiFaultSchema = z.enum(['none', 'error', 'hang']);

export const recordedCommandSchema = z.object({
  at: z.iso.datetime(),
  /** Arguments after `ipmitool`, as given. */
  args: z.array(z.string()),
  ok: z.boolean(),
});

export const ipmiSimStateSchema = z.object({
  ambientC: z.number(),
  /** CPU load 0..1. */
  load: z.number().min(0).max(1),
  /** Hottest die, before each socket's offset and the reading noise. */
  temperatureC: z.number(),
  idleW: z.number().positive(),
  fullLoadW: z.number().positive(),
  /** J/°C: how slowly the temperature follows. */
  heatCapacity: z.number().positive(),
  /** W/°C removed with fans stopped, and added at 100 % duty. */
  k0: z.number().positive(),
  k1: z.number().min(0),
  /** One k10temp chip per socket; offsetC is added to the model temperature. */
  sockets: z.array(z.object({ chip: z.string(), offsetC: z.number() })).min(1),
  /** Readings jitter by up to ± this many °C (deterministic, from `seed`). */
  noiseC: z.number().min(0),
  seed: z.number().int(),
  /** Simulated seconds per real second. */
  timeScale: z.number().positive(),
  /** When > 0, each `sensors` call advances the model by this many seconds and the wall clock is ignored. */
  stepPerReadSec: z.number().min(0),
  simTimeSec: z.number(),
  updatedAtMs: z.number(),
  bmc: z.object({
    mode: z.number().int(),
    /** Duty written per zone (key: zone number) since the last mode change. */
    duties: z.record(z.string(), z.number()),
  }),
  faults: z.object({ sensors: sensorFaultSchema, ipmitool: ipmiFaultSchema }),
  /** Every ipmitool invocation, oldest first (the last 2000). */
  commands: z.array(recordedCommandSchema),
});

export type IpmiSimState = z.infer<typeof ipmiSimStateSchema>;
export type SensorFault = z.infer<typeof sensorFaultSchema>;
export type IpmiFault = z.infer<typeof ipmiFaultSchema>;

export interface CreateOptions {
  ambientC?: number;
  load?: number;
  sockets?: number;
  noiseC?: number;
  timeScale?: number;
  stepPerReadSec?: number;
  mode?: BmcModeName;
  now?: number;
}

/**
 * Numbers chosen so that the user's default table gives sensible answers: idle ≈ 40 °C at 40 %
 * duty, full load ≈ 66 °C at 100 % and far hotter at low duty, half load settles at 70 % duty.
 */
export function createIpmiSimState(options: CreateOptions = {}): IpmiSimState {
  const sockets = options.sockets ?? 2;
  const state: IpmiSimState = {
    ambientC: options.ambientC ?? 25,
    load: options.load ?? 0.05,
    temperatureC: 0,
    idleW: 60,
    fullLoadW: 280,
    heatCapacity: 150,
    k0: 3.23,
    k1: 3.6,
    sockets: Array.from({ length: sockets }, (_, i) => ({
      chip: `k10temp-pci-00${(0xc3 + 8 * i).toString(16)}`,
      offsetC: -2.5 * i,
    })),
    noiseC: options.noiseC ?? 0,
    seed: 12345,
    timeScale: options.timeScale ?? 1,
    stepPerReadSec: options.stepPerReadSec ?? 0,
    simTimeSec: 0,
    updatedAtMs: options.now ?? Date.now(),
    bmc: { mode: BMC_MODES[options.mode ?? 'optimal'], duties: {} },
    faults: { sensors: 'none', ipmitool: 'none' },
    commands: [],
  };
  state.temperatureC = steadyTemperature(state);
  return state;
}

export function heatW(state: IpmiSimState): number {
  return state.idleW + state.load * (state.fullLoadW - state.idleW);
}

/** What a zone's fans run at now. */
export function effectiveDuty(state: IpmiSimState, zone: number): number {
  if (state.bmc.mode === BMC_MODES.full) return state.bmc.duties[String(zone)] ?? 100;
  return AUTOMATIC_DUTY[state.bmc.mode] ?? 100;
}

/** The duty that cools the CPUs: system fans and CPU headers alike. */
export function coolingDuty(state: IpmiSimState): number {
  return (effectiveDuty(state, 0x00) + effectiveDuty(state, 0x01)) / 2;
}

export function steadyTemperature(state: IpmiSimState): number {
  return state.ambientC + heatW(state) / (state.k0 + (state.k1 * coolingDuty(state)) / 100);
}

/** Exact solution over `seconds` with constant load and duty (they only change between calls). */
export function advance(state: IpmiSimState, seconds: number): void {
  if (seconds <= 0) return;
  const k = state.k0 + (state.k1 * coolingDuty(state)) / 100;
  const target = steadyTemperature(state);
  state.temperatureC = target + (state.temperatureC - target) * Math.exp((-seconds * k) / state.heatCapacity);
  state.simTimeSec += seconds;
}

/** Next jitter in [-noiseC, +noiseC]; a linear congruential generator so runs repeat exactly. */
export function nextNoise(state: IpmiSimState): number {
  state.seed = (state.seed * 1103515245 + 12345) % 2147483648;
  return state.noiseC === 0 ? 0 : (state.seed / 2147483648) * 2 * state.noiseC - state.noiseC;
}

/** k10temp reports in steps of 1/8 °C. */
export function quantize(celsius: number): number {
  return Math.round(celsius * 8) / 8;
}

export function modeName(mode: number): string {
  const entry = Object.entries(BMC_MODES).find(([, value]) => value === mode);
  return entry ? entry[0] : `0x${mode.toString(16).padStart(2, '0')}`;
}
