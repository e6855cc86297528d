import {
  advance,
  clockEventReasons,
  graphicsClockMhz,
  memoryClockMhz,
  memoryUsedMiB,
  pstate,
  utilizationPct,
  type SimGpu,
  type SimState,
} from './model.ts';
import { createSimState, type SimStateOptions } from './presets.ts';

/**
 * The simulated host in memory, on a clock the test drives (`advance(seconds)`), with an NVML-shaped
 * API over it: the GPU agent's NVML reader and writer run against `host.nvml()` exactly as they
 * run against libnvidia-ml through koffi. Calls fail the way NVML does, by throwing an error
 * carrying the NVML return code.
 */

/** NVML return codes the fake produces (nvml.h). */
export const NVML_CODE = {
  INVALID_ARGUMENT: 2,
  NOT_SUPPORTED: 3,
  NO_PERMISSION: 4,
  GPU_IS_LOST: 15,
  UNKNOWN: 999,
} as const;

export class SimNvmlError extends Error {
  constructor(
    readonly code: number,
    readonly fn: string,
  ) {
    super(`${fn}: NVML error ${code}`);
    this.name = 'SimNvmlError';
  }
}

const MIB = 1024 * 1024;

export class SimHost {
  readonly state: SimState;
  /** Set true to make every write fail with NO_PERMISSION (an agent not running as root). */
  noPermission = false;
  /** Per-GPU index: NVML functions that fail with the given code, e.g. `{ 0: { temperature: 999 } }`. */
  readonly failures = new Map<number, Map<string, number>>();

  constructor(state: SimState) {
    this.state = state;
  }

  static create(options: SimStateOptions = {}): SimHost {
    return new SimHost(createSimState({ now: 0, ...options }));
  }

  advance(seconds: number): void {
    advance(this.state, seconds);
  }

  gpu(index: number): SimGpu {
    const gpu = this.state.gpus[index];
    if (!gpu) throw new Error(`no simulated GPU ${index}`);
    return gpu;
  }

  setLoad(load: number, index?: number): void {
    for (const gpu of index === undefined ? this.state.gpus : [this.gpu(index)]) gpu.load = load;
  }

  fail(index: number, what: 'temperature' | 'power' | 'fan' | 'all', code: number = NVML_CODE.UNKNOWN): void {
    const map = this.failures.get(index) ?? new Map<string, number>();
    map.set(what, code);
    this.failures.set(index, map);
  }

  clearFailures(): void {
    this.failures.clear();
  }

  nvml(): SimNvml {
    return new SimNvml(this);
  }
}

/** Handles are GPU indexes. Method names follow NVML's (nvmlDeviceGetX → deviceGetX). */
export class SimNvml {
  private initialized = false;
  constructor(private readonly host: SimHost) {}

  private device(handle: number, fn: string, what?: 'temperature' | 'power' | 'fan'): SimGpu {
    if (!this.initialized) throw new SimNvmlError(1, fn);
    const gpu = this.host.state.gpus[handle];
    if (!gpu) throw new SimNvmlError(NVML_CODE.INVALID_ARGUMENT, fn);
    const failures = this.host.failures.get(handle);
    const code = failures?.get('all') ?? (what ? failures?.get(what) : undefined);
    if (code !== undefined) throw new SimNvmlError(code, fn);
    return gpu;
  }

  private writable(handle: number, fn: string, what: 'power' | 'fan'): SimGpu {
    const gpu = this.device(handle, fn, what);
    if (this.host.noPermission) throw new SimNvmlError(NVML_CODE.NO_PERMISSION, fn);
    return gpu;
  }

  init(): void {
    this.initialized = true;
  }
  shutdown(): void {
    this.initialized = false;
  }
  systemGetDriverVersion(): string {
    return this.host.state.driverVersion;
  }
  deviceGetCount(): number {
    return this.host.state.gpus.length;
  }
  deviceGetHandleByIndex(index: number): number {
    this.device(index, 'nvmlDeviceGetHandleByIndex_v2');
    return index;
  }
  deviceGetUUID(handle: number): string {
    return this.device(handle, 'nvmlDeviceGetUUID').uuid;
  }
  deviceGetName(handle: number): string {
    return this.device(handle, 'nvmlDeviceGetName').name;
  }
  deviceGetPciBusId(handle: number): string {
    return this.device(handle, 'nvmlDeviceGetPciInfo_v3').pciBusId;
  }
  deviceGetTemperature(handle: number): number {
    return Math.round(this.device(handle, 'nvmlDeviceGetTemperature', 'temperature').temperatureC);
  }
  /** The simulated cards are GeForce boards without a memory sensor (nvidia-smi prints N/A). */
  deviceGetMemoryTemperature(handle: number): number {
    this.device(handle, 'nvmlDeviceGetFieldValues', 'temperature');
    throw new SimNvmlError(NVML_CODE.NOT_SUPPORTED, 'nvmlDeviceGetFieldValues(NVML_FI_DEV_MEMORY_TEMP)');
  }
  deviceGetNumFans(handle: number): number {
    return this.device(handle, 'nvmlDeviceGetNumFans', 'fan').fans.length;
  }
  deviceGetFanSpeed(handle: number, fan: number): number {
    const state = this.device(handle, 'nvmlDeviceGetFanSpeed_v2', 'fan').fans[fan];
    if (!state) throw new SimNvmlError(NVML_CODE.INVALID_ARGUMENT, 'nvmlDeviceGetFanSpeed_v2');
    return Math.round(state.speedPct);
  }
  deviceGetMinMaxFanSpeed(handle: number): { min: number; max: number } {
    const gpu = this.device(handle, 'nvmlDeviceGetMinMaxFanSpeed', 'fan');
    return { min: gpu.fanMinPct, max: gpu.fanMaxPct };
  }
  deviceGetPowerUsageMw(handle: number): number {
    return Math.round(this.device(handle, 'nvmlDeviceGetPowerUsage', 'power').powerDrawW * 1000);
  }
  deviceGetPowerManagementLimitMw(handle: number): number {
    return Math.round(this.device(handle, 'nvmlDeviceGetPowerManagementLimit', 'power').powerLimitW * 1000);
  }
  deviceGetPowerManagementLimitConstraintsMw(handle: number): { min: number; max: number } {
    const gpu = this.device(handle, 'nvmlDeviceGetPowerManagementLimitConstraints', 'power');
    return { min: gpu.minPowerLimitW * 1000, max: gpu.maxPowerLimitW * 1000 };
  }
  deviceGetPowerManagementDefaultLimitMw(handle: number): number {
    return this.device(handle, 'nvmlDeviceGetPowerManagementDefaultLimit', 'power').defaultPowerLimitW * 1000;
  }
  deviceGetUtilizationRates(handle: number): { gpu: number; memory: number } {
    const gpu = this.device(handle, 'nvmlDeviceGetUtilizationRates');
    return { gpu: utilizationPct(gpu), memory: Math.round(utilizationPct(gpu) * 0.4) };
  }
  deviceGetMemoryInfo(handle: number): { total: number; free: number; used: number } {
    const gpu = this.device(handle, 'nvmlDeviceGetMemoryInfo');
    const used = memoryUsedMiB(gpu) * MIB;
    return { total: gpu.memoryTotalMiB * MIB, used, free: gpu.memoryTotalMiB * MIB - used };
  }
  deviceGetClockInfoMhz(handle: number, clock: 'graphics' | 'sm' | 'memory'): number {
    const gpu = this.device(handle, 'nvmlDeviceGetClockInfo');
    return clock === 'memory' ? memoryClockMhz(gpu) : graphicsClockMhz(gpu);
  }
  deviceGetCurrentClocksEventReasons(handle: number): number {
    return clockEventReasons(this.device(handle, 'nvmlDeviceGetCurrentClocksEventReasons'));
  }
  deviceGetPerformanceState(handle: number): number {
    return pstate(this.device(handle, 'nvmlDeviceGetPerformanceState'));
  }
  deviceSetFanSpeed(handle: number, fan: number, speedPct: number): void {
    const gpu = this.writable(handle, 'nvmlDeviceSetFanSpeed_v2', 'fan');
    const state = gpu.fans[fan];
    if (!state || speedPct < gpu.fanMinPct || speedPct > gpu.fanMaxPct) {
      throw new SimNvmlError(NVML_CODE.INVALID_ARGUMENT, 'nvmlDeviceSetFanSpeed_v2');
    }
    state.manual = true;
    state.targetPct = speedPct;
  }
  deviceSetDefaultFanSpeed(handle: number, fan: number): void {
    const state = this.writable(handle, 'nvmlDeviceSetDefaultFanSpeed_v2', 'fan').fans[fan];
    if (!state) throw new SimNvmlError(NVML_CODE.INVALID_ARGUMENT, 'nvmlDeviceSetDefaultFanSpeed_v2');
    state.manual = false;
  }
  deviceSetPowerManagementLimitMw(handle: number, milliwatts: number): void {
    const gpu = this.writable(handle, 'nvmlDeviceSetPowerManagementLimit', 'power');
    const watts = milliwatts / 1000;
    if (watts < gpu.minPowerLimitW || watts > gpu.maxPowerLimitW) {
      throw new SimNvmlError(NVML_CODE.INVALID_ARGUMENT, 'nvmlDeviceSetPowerManagementLimit');
    }
    gpu.powerLimitW = watts;
  }
}
