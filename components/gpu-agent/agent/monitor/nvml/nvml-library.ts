/**
 * The NVML calls the agent uses, one method per function (nvmlDeviceGetX → deviceGetX), with
 * units in the names where NVML's differ from ours (milliwatts). Every method throws an error
 * carrying the NVML return code on failure. Implemented by the koffi binding to
 * libnvidia-ml.so.1 and by the simulator's fake host (`@skyy/sim-nvidia-smi` SimHost.nvml()).
 */
export type NvmlDeviceHandle = unknown;

export type NvmlClock = 'graphics' | 'sm' | 'memory';

export interface NvmlFunctions {
  init(): void;
  shutdown(): void;
  systemGetDriverVersion(): string;
  deviceGetCount(): number;
  deviceGetHandleByIndex(index: number): NvmlDeviceHandle;
  deviceGetUUID(device: NvmlDeviceHandle): string;
  deviceGetName(device: NvmlDeviceHandle): string;
  deviceGetPciBusId(device: NvmlDeviceHandle): string;
  deviceGetTemperature(device: NvmlDeviceHandle): number;
  /**
   * Memory temperature (nvmlDeviceGetFieldValues, NVML_FI_DEV_MEMORY_TEMP). Throws with the
   * field's own return code when the board has none (most GeForce cards: NOT_SUPPORTED).
   */
  deviceGetMemoryTemperature(device: NvmlDeviceHandle): number;
  deviceGetNumFans(device: NvmlDeviceHandle): number;
  deviceGetFanSpeed(device: NvmlDeviceHandle, fan: number): number;
  deviceGetMinMaxFanSpeed(device: NvmlDeviceHandle): { min: number; max: number };
  deviceGetPowerUsageMw(device: NvmlDeviceHandle): number;
  deviceGetPowerManagementLimitMw(device: NvmlDeviceHandle): number;
  deviceGetPowerManagementLimitConstraintsMw(device: NvmlDeviceHandle): { min: number; max: number };
  deviceGetPowerManagementDefaultLimitMw(device: NvmlDeviceHandle): number;
  deviceGetUtilizationRates(device: NvmlDeviceHandle): { gpu: number; memory: number };
  deviceGetMemoryInfo(device: NvmlDeviceHandle): { total: number; free: number; used: number };
  deviceGetClockInfoMhz(device: NvmlDeviceHandle, clock: NvmlClock): number;
  deviceGetCurrentClocksEventReasons(device: NvmlDeviceHandle): number;
  deviceGetPerformanceState(device: NvmlDeviceHandle): number;
  deviceSetFanSpeed(device: NvmlDeviceHandle, fan: number, speedPct: number): void;
  deviceSetDefaultFanSpeed(device: NvmlDeviceHandle, fan: number): void;
  deviceSetPowerManagementLimitMw(device: NvmlDeviceHandle, milliwatts: number): void;
}

export type NvmlMethod = keyof NvmlFunctions;
export type NvmlArgs<K extends NvmlMethod> = Parameters<NvmlFunctions[K]>;
export type NvmlResult<K extends NvmlMethod> = ReturnType<NvmlFunctions[K]>;

/** One NVML call, run on a worker thread; rejects as the synchronous method throws. */
export type NvmlAsyncCall = <K extends NvmlMethod>(method: K, ...args: NvmlArgs<K>) => Promise<NvmlResult<K>>;

export interface NvmlLibrary extends NvmlFunctions {
  /**
   * The same calls off the main thread (koffi's asynchronous calls), so that a driver call that
   * hangs cannot block the event loop. Absent in the in-memory simulator, whose calls return at once.
   */
  readonly callAsync?: NvmlAsyncCall;
}

/** The C function behind each method, for messages ("nvmlDeviceGetTemperature hung for 12 s"). */
export const NVML_FUNCTION_NAMES: Readonly<Record<NvmlMethod, string>> = {
  init: 'nvmlInit_v2',
  shutdown: 'nvmlShutdown',
  systemGetDriverVersion: 'nvmlSystemGetDriverVersion',
  deviceGetCount: 'nvmlDeviceGetCount_v2',
  deviceGetHandleByIndex: 'nvmlDeviceGetHandleByIndex_v2',
  deviceGetUUID: 'nvmlDeviceGetUUID',
  deviceGetName: 'nvmlDeviceGetName',
  deviceGetPciBusId: 'nvmlDeviceGetPciInfo_v3',
  deviceGetTemperature: 'nvmlDeviceGetTemperature',
  deviceGetMemoryTemperature: 'nvmlDeviceGetFieldValues',
  deviceGetNumFans: 'nvmlDeviceGetNumFans',
  deviceGetFanSpeed: 'nvmlDeviceGetFanSpeed_v2',
  deviceGetMinMaxFanSpeed: 'nvmlDeviceGetMinMaxFanSpeed',
  deviceGetPowerUsageMw: 'nvmlDeviceGetPowerUsage',
  deviceGetPowerManagementLimitMw: 'nvmlDeviceGetPowerManagementLimit',
  deviceGetPowerManagementLimitConstraintsMw: 'nvmlDeviceGetPowerManagementLimitConstraints',
  deviceGetPowerManagementDefaultLimitMw: 'nvmlDeviceGetPowerManagementDefaultLimit',
  deviceGetUtilizationRates: 'nvmlDeviceGetUtilizationRates',
  deviceGetMemoryInfo: 'nvmlDeviceGetMemoryInfo',
  deviceGetClockInfoMhz: 'nvmlDeviceGetClockInfo',
  deviceGetCurrentClocksEventReasons: 'nvmlDeviceGetCurrentClocksEventReasons',
  deviceGetPerformanceState: 'nvmlDeviceGetPerformanceState',
  deviceSetFanSpeed: 'nvmlDeviceSetFanSpeed_v2',
  deviceSetDefaultFanSpeed: 'nvmlDeviceSetDefaultFanSpeed_v2',
  deviceSetPowerManagementLimitMw: 'nvmlDeviceSetPowerManagementLimit',
};
