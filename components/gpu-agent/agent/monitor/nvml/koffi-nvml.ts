import type { LibraryHandle, TypeObject } from 'koffi';
import { NvmlError } from './nvml-errors.ts';
import type { NvmlClock, NvmlDeviceHandle, NvmlLibrary } from './nvml-library.ts';

/**
 * NVML through koffi, bound lazily: koffi is imported and libnvidia-ml.so.1 opened only when the
 * agent asks for NVML, and each function is looked up on its first call, so a driver that lacks
 * one (fan functions before R520, clock event reasons before R535) only loses that value
 * (NVML_ERROR_FUNCTION_NOT_FOUND, treated as absent) instead of failing to load.
 *
 * Struct layouts and prototypes follow nvml.h (CUDA 12.x / driver R5xx).
 */

const FUNCTION_NOT_FOUND = 13;
const TEMPERATURE_GPU = 0; // NVML_TEMPERATURE_GPU
const CLOCK_TYPE: Record<NvmlClock, number> = { graphics: 0, sm: 1, memory: 2 };
const UUID_BUFFER = 96; // NVML_DEVICE_UUID_V2_BUFFER_SIZE
const NAME_BUFFER = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
const DRIVER_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

type Koffi = (typeof import('koffi'))['default'];
type NativeFunction = (...args: unknown[]) => unknown;

interface NvmlTypes {
  device: TypeObject;
  pciInfo: TypeObject;
  utilization: TypeObject;
  memory: TypeObject;
}

let sharedTypes: NvmlTypes | undefined;

/** Named koffi types are process-wide, so they are declared once. */
function declareTypes(koffi: Koffi): NvmlTypes {
  sharedTypes ??= {
    device: koffi.pointer('nvmlDevice_t', koffi.opaque('nvmlDevice_st')),
    pciInfo: koffi.struct('nvmlPciInfo_t', {
      busIdLegacy: koffi.array('char', 16, 'String'),
      domain: 'uint',
      bus: 'uint',
      device: 'uint',
      pciDeviceId: 'uint',
      pciSubSystemId: 'uint',
      busId: koffi.array('char', 32, 'String'),
    }),
    utilization: koffi.struct('nvmlUtilization_t', { gpu: 'uint', memory: 'uint' }),
    memory: koffi.struct('nvmlMemory_t', {
      total: 'unsigned long long',
      free: 'unsigned long long',
      used: 'unsigned long long',
    }),
  };
  return sharedTypes;
}

/** Prototypes by function; alternatives are older names tried when the first is missing. */
const PROTOTYPES: Readonly<Record<string, string[]>> = {
  init: ['int nvmlInit_v2()'],
  shutdown: ['int nvmlShutdown()'],
  driverVersion: ['int nvmlSystemGetDriverVersion(void *version, uint length)'],
  count: ['int nvmlDeviceGetCount_v2(_Out_ uint *count)'],
  handle: ['int nvmlDeviceGetHandleByIndex_v2(uint index, _Out_ nvmlDevice_t *device)'],
  uuid: ['int nvmlDeviceGetUUID(nvmlDevice_t device, void *uuid, uint length)'],
  name: ['int nvmlDeviceGetName(nvmlDevice_t device, void *name, uint length)'],
  pci: ['int nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, _Out_ nvmlPciInfo_t *pci)'],
  temperature: ['int nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, _Out_ uint *temp)'],
  numFans: ['int nvmlDeviceGetNumFans(nvmlDevice_t device, _Out_ uint *numFans)'],
  fanSpeed: ['int nvmlDeviceGetFanSpeed_v2(nvmlDevice_t device, uint fan, _Out_ uint *speed)'],
  minMaxFan: [
    'int nvmlDeviceGetMinMaxFanSpeed(nvmlDevice_t device, _Out_ uint *minSpeed, _Out_ uint *maxSpeed)',
  ],
  powerUsage: ['int nvmlDeviceGetPowerUsage(nvmlDevice_t device, _Out_ uint *power)'],
  powerLimit: ['int nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, _Out_ uint *limit)'],
  powerConstraints: [
    'int nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device, _Out_ uint *minLimit, _Out_ uint *maxLimit)',
  ],
  powerDefault: [
    'int nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t device, _Out_ uint *defaultLimit)',
  ],
  utilization: [
    'int nvmlDeviceGetUtilizationRates(nvmlDevice_t device, _Out_ nvmlUtilization_t *utilization)',
  ],
  memory: ['int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, _Out_ nvmlMemory_t *memory)'],
  clock: ['int nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, _Out_ uint *clock)'],
  reasons: [
    'int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, _Out_ unsigned long long *reasons)',
    'int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, _Out_ unsigned long long *reasons)',
  ],
  pstate: ['int nvmlDeviceGetPerformanceState(nvmlDevice_t device, _Out_ int *pState)'],
  setFan: ['int nvmlDeviceSetFanSpeed_v2(nvmlDevice_t device, uint fan, uint speed)'],
  setDefaultFan: ['int nvmlDeviceSetDefaultFanSpeed_v2(nvmlDevice_t device, uint fan)'],
  setPowerLimit: ['int nvmlDeviceSetPowerManagementLimit(nvmlDevice_t device, uint limit)'],
};

/** The C function name of a prototype string. */
export function functionName(prototype: string): string {
  return /\b(nvml\w+)\s*\(/.exec(prototype)?.[1] ?? prototype;
}

class KoffiNvml implements NvmlLibrary {
  private readonly functions = new Map<string, NativeFunction | null>();

  constructor(private readonly lib: LibraryHandle) {}

  /** Calls an NVML function; a non-zero return becomes an NvmlError naming the function. */
  private call(key: string, ...args: unknown[]): void {
    const prototypes = PROTOTYPES[key] ?? [];
    let fn = this.functions.get(key);
    if (fn === undefined) {
      fn = null;
      for (const prototype of prototypes) {
        try {
          fn = this.lib.func(prototype) as NativeFunction;
          break;
        } catch {
          // Symbol missing in this driver: try the older name, else report FUNCTION_NOT_FOUND.
        }
      }
      this.functions.set(key, fn);
    }
    const name = functionName(prototypes[0] ?? key);
    if (fn === null) throw new NvmlError(FUNCTION_NOT_FOUND, name);
    const code = Number(fn(...args));
    if (code !== 0) throw new NvmlError(code, name);
  }

  private uint(key: string, ...args: unknown[]): number {
    const out: unknown[] = [0];
    this.call(key, ...args, out);
    return Number(out[0]);
  }

  private text(key: string, size: number, ...args: unknown[]): string {
    const buffer = Buffer.alloc(size);
    this.call(key, ...args, buffer, size);
    const end = buffer.indexOf(0);
    return buffer.toString('utf8', 0, end >= 0 ? end : size);
  }

  init(): void {
    this.call('init');
  }
  shutdown(): void {
    this.call('shutdown');
  }
  systemGetDriverVersion(): string {
    return this.text('driverVersion', DRIVER_BUFFER);
  }
  deviceGetCount(): number {
    return this.uint('count');
  }
  deviceGetHandleByIndex(index: number): NvmlDeviceHandle {
    const out: unknown[] = [null];
    this.call('handle', index, out);
    return out[0];
  }
  deviceGetUUID(device: NvmlDeviceHandle): string {
    return this.text('uuid', UUID_BUFFER, device);
  }
  deviceGetName(device: NvmlDeviceHandle): string {
    return this.text('name', NAME_BUFFER, device);
  }
  deviceGetPciBusId(device: NvmlDeviceHandle): string {
    const pci: { busId?: string } = {};
    this.call('pci', device, pci);
    return pci.busId ?? '';
  }
  deviceGetTemperature(device: NvmlDeviceHandle): number {
    return this.uint('temperature', device, TEMPERATURE_GPU);
  }
  deviceGetNumFans(device: NvmlDeviceHandle): number {
    return this.uint('numFans', device);
  }
  deviceGetFanSpeed(device: NvmlDeviceHandle, fan: number): number {
    return this.uint('fanSpeed', device, fan);
  }
  deviceGetMinMaxFanSpeed(device: NvmlDeviceHandle): { min: number; max: number } {
    const min: unknown[] = [0];
    const max: unknown[] = [0];
    this.call('minMaxFan', device, min, max);
    return { min: Number(min[0]), max: Number(max[0]) };
  }
  deviceGetPowerUsageMw(device: NvmlDeviceHandle): number {
    return this.uint('powerUsage', device);
  }
  deviceGetPowerManagementLimitMw(device: NvmlDeviceHandle): number {
    return this.uint('powerLimit', device);
  }
  deviceGetPowerManagementLimitConstraintsMw(device: NvmlDeviceHandle): { min: number; max: number } {
    const min: unknown[] = [0];
    const max: unknown[] = [0];
    this.call('powerConstraints', device, min, max);
    return { min: Number(min[0]), max: Number(max[0]) };
  }
  deviceGetPowerManagementDefaultLimitMw(device: NvmlDeviceHandle): number {
    return this.uint('powerDefault', device);
  }
  deviceGetUtilizationRates(device: NvmlDeviceHandle): { gpu: number; memory: number } {
    const out: { gpu?: number; memory?: number } = {};
    this.call('utilization', device, out);
    return { gpu: Number(out.gpu), memory: Number(out.memory) };
  }
  deviceGetMemoryInfo(device: NvmlDeviceHandle): { total: number; free: number; used: number } {
    const out: { total?: number | bigint; free?: number | bigint; used?: number | bigint } = {};
    this.call('memory', device, out);
    return { total: Number(out.total), free: Number(out.free), used: Number(out.used) };
  }
  deviceGetClockInfoMhz(device: NvmlDeviceHandle, clock: NvmlClock): number {
    return this.uint('clock', device, CLOCK_TYPE[clock]);
  }
  deviceGetCurrentClocksEventReasons(device: NvmlDeviceHandle): number {
    return this.uint('reasons', device);
  }
  deviceGetPerformanceState(device: NvmlDeviceHandle): number {
    return this.uint('pstate', device);
  }
  deviceSetFanSpeed(device: NvmlDeviceHandle, fan: number, speedPct: number): void {
    this.call('setFan', device, fan, Math.round(speedPct));
  }
  deviceSetDefaultFanSpeed(device: NvmlDeviceHandle, fan: number): void {
    this.call('setDefaultFan', device, fan);
  }
  deviceSetPowerManagementLimitMw(device: NvmlDeviceHandle, milliwatts: number): void {
    this.call('setPowerLimit', device, Math.round(milliwatts));
  }
}

export class NvmlUnavailableError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'NvmlUnavailableError';
  }
}

/**
 * Opens libnvidia-ml and initializes NVML. Throws NvmlUnavailableError when koffi or the library
 * cannot load (no driver, container without the NVIDIA runtime, …): the caller falls back to nvidia-smi.
 */
export async function loadNvml(libraryPath = 'libnvidia-ml.so.1'): Promise<NvmlLibrary> {
  let koffi: Koffi;
  try {
    koffi = (await import('koffi')).default;
  } catch (error) {
    throw new NvmlUnavailableError(`koffi could not load: ${String(error)}`, { cause: error });
  }
  let lib: LibraryHandle;
  try {
    declareTypes(koffi);
    lib = koffi.load(libraryPath);
  } catch (error) {
    throw new NvmlUnavailableError(`${libraryPath} could not be opened: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const nvml = new KoffiNvml(lib);
  try {
    nvml.init();
  } catch (error) {
    throw new NvmlUnavailableError(`nvmlInit_v2 failed: ${(error as Error).message}`, { cause: error });
  }
  return nvml;
}
