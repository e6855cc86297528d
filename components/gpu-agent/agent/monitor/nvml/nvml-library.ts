/**
 * The NVML calls the agent uses, one method per function (nvmlDeviceGetX → deviceGetX), with
 * units in the names where NVML's differ from ours (milliwatts). Every method throws an error
 * carrying the NVML return code on failure. Implemented by the koffi binding to
 * libnvidia-ml.so.1 and by the simulator's fake host (`@skyy/sim-nvidia-smi` SimHost.nvml()).
 */
export type NvmlDeviceHandle = unknown;

export type NvmlClock = 'graphics' | 'sm' | 'memory';

export interface NvmlLibrary {
  init(): void;
  shutdown(): void;
  systemGetDriverVersion(): string;
  deviceGetCount(): number;
  deviceGetHandleByIndex(index: number): NvmlDeviceHandle;
  deviceGetUUID(device: NvmlDeviceHandle): string;
  deviceGetName(device: NvmlDeviceHandle): string;
  deviceGetPciBusId(device: NvmlDeviceHandle): string;
  deviceGetTemperature(device: NvmlDeviceHandle): number;
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
