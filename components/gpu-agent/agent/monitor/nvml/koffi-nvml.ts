import type { LibraryHandle, TypeObject } from 'koffi';
import { NvmlError } from './nvml-errors.ts';
import type {
  NvmlArgs,
  NvmlAsyncCall,
  NvmlClock,
  NvmlDeviceHandle,
  NvmlLibrary,
  NvmlMethod,
  NvmlResult,
} from './nvml-library.ts';

/**
 * NVML through koffi, bound lazily: koffi is imported and libnvidia-ml.so.1 opened only when the
 * agent asks for NVML, and each function is looked up on its first call, so a driver that lacks
 * one (fan functions before R520, clock event reasons before R535) only loses that value
 * (NVML_ERROR_FUNCTION_NOT_FOUND, treated as absent) instead of failing to load.
 *
 * Every call can run synchronously (detection, `restore`) or through koffi's asynchronous calls
 * (`callAsync`, the daemon): those run on a libuv worker thread, so a call the driver never
 * returns from leaves the event loop, and with it the fail-safe, free.
 *
 * Struct layouts and prototypes follow nvml.h (CUDA 12.x / driver R5xx).
 */

const FUNCTION_NOT_FOUND = 13;
const TEMPERATURE_GPU = 0; // NVML_TEMPERATURE_GPU
const FI_DEV_MEMORY_TEMP = 82; // NVML_FI_DEV_MEMORY_TEMP
const CLOCK_TYPE: Record<NvmlClock, number> = { graphics: 0, sm: 1, memory: 2 };
const UUID_BUFFER = 96; // NVML_DEVICE_UUID_V2_BUFFER_SIZE
const NAME_BUFFER = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
const DRIVER_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

type Koffi = (typeof import('koffi'))['default'];
type NativeFunction = ReturnType<LibraryHandle['func']>;

let declared = false;

/** Named koffi types are process-wide, so they are declared once. */
function declareTypes(koffi: Koffi): void {
  if (declared) return;
  declared = true;
  koffi.pointer('nvmlDevice_t', koffi.opaque('nvmlDevice_st'));
  koffi.struct('nvmlPciInfo_t', {
    busIdLegacy: koffi.array('char', 16, 'String'),
    domain: 'uint',
    bus: 'uint',
    device: 'uint',
    pciDeviceId: 'uint',
    pciSubSystemId: 'uint',
    busId: koffi.array('char', 32, 'String'),
  }) satisfies TypeObject;
  koffi.struct('nvmlUtilization_t', { gpu: 'uint', memory: 'uint' });
  koffi.struct('nvmlMemory_t', {
    total: 'unsigned long long',
    free: 'unsigned long long',
    used: 'unsigned long long',
  });
}

/** Prototypes by method; alternatives are older names tried when the first is missing. */
const PROTOTYPES: Readonly<Record<NvmlMethod, string[]>> = {
  init: ['int nvmlInit_v2()'],
  shutdown: ['int nvmlShutdown()'],
  systemGetDriverVersion: ['int nvmlSystemGetDriverVersion(void *version, uint length)'],
  deviceGetCount: ['int nvmlDeviceGetCount_v2(_Out_ uint *count)'],
  deviceGetHandleByIndex: ['int nvmlDeviceGetHandleByIndex_v2(uint index, _Out_ nvmlDevice_t *device)'],
  deviceGetUUID: ['int nvmlDeviceGetUUID(nvmlDevice_t device, void *uuid, uint length)'],
  deviceGetName: ['int nvmlDeviceGetName(nvmlDevice_t device, void *name, uint length)'],
  deviceGetPciBusId: ['int nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, _Out_ nvmlPciInfo_t *pci)'],
  deviceGetTemperature: ['int nvmlDeviceGetTemperature(nvmlDevice_t device, int sensor, _Out_ uint *temp)'],
  // The nvmlFieldValue_t array is a raw buffer, decoded by hand (see FieldValue below).
  deviceGetMemoryTemperature: [
    'int nvmlDeviceGetFieldValues(nvmlDevice_t device, int valuesCount, void *values)',
  ],
  deviceGetNumFans: ['int nvmlDeviceGetNumFans(nvmlDevice_t device, _Out_ uint *numFans)'],
  deviceGetFanSpeed: ['int nvmlDeviceGetFanSpeed_v2(nvmlDevice_t device, uint fan, _Out_ uint *speed)'],
  deviceGetMinMaxFanSpeed: [
    'int nvmlDeviceGetMinMaxFanSpeed(nvmlDevice_t device, _Out_ uint *minSpeed, _Out_ uint *maxSpeed)',
  ],
  deviceGetPowerUsageMw: ['int nvmlDeviceGetPowerUsage(nvmlDevice_t device, _Out_ uint *power)'],
  deviceGetPowerManagementLimitMw: [
    'int nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, _Out_ uint *limit)',
  ],
  deviceGetPowerManagementLimitConstraintsMw: [
    'int nvmlDeviceGetPowerManagementLimitConstraints(nvmlDevice_t device, _Out_ uint *minLimit, _Out_ uint *maxLimit)',
  ],
  deviceGetPowerManagementDefaultLimitMw: [
    'int nvmlDeviceGetPowerManagementDefaultLimit(nvmlDevice_t device, _Out_ uint *defaultLimit)',
  ],
  deviceGetUtilizationRates: [
    'int nvmlDeviceGetUtilizationRates(nvmlDevice_t device, _Out_ nvmlUtilization_t *utilization)',
  ],
  deviceGetMemoryInfo: ['int nvmlDeviceGetMemoryInfo(nvmlDevice_t device, _Out_ nvmlMemory_t *memory)'],
  deviceGetClockInfoMhz: ['int nvmlDeviceGetClockInfo(nvmlDevice_t device, int type, _Out_ uint *clock)'],
  deviceGetCurrentClocksEventReasons: [
    'int nvmlDeviceGetCurrentClocksEventReasons(nvmlDevice_t device, _Out_ unsigned long long *reasons)',
    'int nvmlDeviceGetCurrentClocksThrottleReasons(nvmlDevice_t device, _Out_ unsigned long long *reasons)',
  ],
  deviceGetPerformanceState: ['int nvmlDeviceGetPerformanceState(nvmlDevice_t device, _Out_ int *pState)'],
  deviceSetFanSpeed: ['int nvmlDeviceSetFanSpeed_v2(nvmlDevice_t device, uint fan, uint speed)'],
  deviceSetDefaultFanSpeed: ['int nvmlDeviceSetDefaultFanSpeed_v2(nvmlDevice_t device, uint fan)'],
  deviceSetPowerManagementLimitMw: ['int nvmlDeviceSetPowerManagementLimit(nvmlDevice_t device, uint limit)'],
};

/** The C function name of a prototype string. */
export function functionName(prototype: string): string {
  return /\b(nvml\w+)\s*\(/.exec(prototype)?.[1] ?? prototype;
}

/**
 * One call's arguments, out parameters included, and how to read its result once the call has
 * returned NVML_SUCCESS. The same plan serves a synchronous and an asynchronous call.
 */
interface NativeCall<T> {
  args: unknown[];
  result(): T;
}

const call = (...args: unknown[]): NativeCall<void> => ({ args, result: () => undefined });

function uint(...args: unknown[]): NativeCall<number> {
  const out: unknown[] = [0];
  return { args: [...args, out], result: () => Number(out[0]) };
}

function pair(...args: unknown[]): NativeCall<{ min: number; max: number }> {
  const min: unknown[] = [0];
  const max: unknown[] = [0];
  return { args: [...args, min, max], result: () => ({ min: Number(min[0]), max: Number(max[0]) }) };
}

function text(size: number, ...args: unknown[]): NativeCall<string> {
  const buffer = Buffer.alloc(size);
  return {
    args: [...args, buffer, size],
    result: () => {
      const end = buffer.indexOf(0);
      return buffer.toString('utf8', 0, end >= 0 ? end : size);
    },
  };
}

/**
 * nvmlFieldValue_t: fieldId u32 @0, scopeId u32 @4, timestamp i64 @8, latencyUsec i64 @16,
 * valueType i32 @24, nvmlReturn i32 @28, value (union of 8 bytes) @32; 40 bytes.
 */
const FieldValue = { size: 40, fieldId: 0, valueType: 24, nvmlReturn: 28, value: 32 } as const;

/** The union member nvmlValueType_t names (DOUBLE, UNSIGNED_INT, UNSIGNED_LONG, …, UNSIGNED_SHORT). */
function fieldValue(buffer: Buffer, type: number): number {
  const at = FieldValue.value;
  switch (type) {
    case 0:
      return buffer.readDoubleLE(at);
    case 1:
      return buffer.readUInt32LE(at);
    case 2:
    case 3:
      return Number(buffer.readBigUInt64LE(at));
    case 4:
      return Number(buffer.readBigInt64LE(at));
    case 5:
      return buffer.readInt32LE(at);
    case 6:
      return buffer.readUInt16LE(at);
    default:
      return Number.NaN;
  }
}

function memoryTemperature(device: NvmlDeviceHandle): NativeCall<number> {
  const buffer = Buffer.alloc(FieldValue.size);
  buffer.writeUInt32LE(FI_DEV_MEMORY_TEMP, FieldValue.fieldId);
  return {
    args: [device, 1, buffer],
    result: () => {
      // The call succeeds for the batch; each field carries its own return code.
      const code = buffer.readInt32LE(FieldValue.nvmlReturn);
      if (code !== 0) throw new NvmlError(code, 'nvmlDeviceGetFieldValues(NVML_FI_DEV_MEMORY_TEMP)');
      return fieldValue(buffer, buffer.readInt32LE(FieldValue.valueType));
    },
  };
}

type Plans = { [K in NvmlMethod]: (...args: NvmlArgs<K>) => NativeCall<NvmlResult<K>> };

const PLANS: Plans = {
  init: () => call(),
  shutdown: () => call(),
  systemGetDriverVersion: () => text(DRIVER_BUFFER),
  deviceGetCount: () => uint(),
  deviceGetHandleByIndex: (index) => {
    const out: unknown[] = [null];
    return { args: [index, out], result: () => out[0] };
  },
  deviceGetUUID: (device) => text(UUID_BUFFER, device),
  deviceGetName: (device) => text(NAME_BUFFER, device),
  deviceGetPciBusId: (device) => {
    const pci: { busId?: string } = {};
    return { args: [device, pci], result: () => pci.busId ?? '' };
  },
  deviceGetTemperature: (device) => uint(device, TEMPERATURE_GPU),
  deviceGetMemoryTemperature: memoryTemperature,
  deviceGetNumFans: (device) => uint(device),
  deviceGetFanSpeed: (device, fan) => uint(device, fan),
  deviceGetMinMaxFanSpeed: (device) => pair(device),
  deviceGetPowerUsageMw: (device) => uint(device),
  deviceGetPowerManagementLimitMw: (device) => uint(device),
  deviceGetPowerManagementLimitConstraintsMw: (device) => pair(device),
  deviceGetPowerManagementDefaultLimitMw: (device) => uint(device),
  deviceGetUtilizationRates: (device) => {
    const out: { gpu?: number; memory?: number } = {};
    return { args: [device, out], result: () => ({ gpu: Number(out.gpu), memory: Number(out.memory) }) };
  },
  deviceGetMemoryInfo: (device) => {
    const out: { total?: number | bigint; free?: number | bigint; used?: number | bigint } = {};
    return {
      args: [device, out],
      result: () => ({ total: Number(out.total), free: Number(out.free), used: Number(out.used) }),
    };
  },
  deviceGetClockInfoMhz: (device, clock) => uint(device, CLOCK_TYPE[clock]),
  deviceGetCurrentClocksEventReasons: (device) => uint(device),
  deviceGetPerformanceState: (device) => uint(device),
  deviceSetFanSpeed: (device, fan, speedPct) => call(device, fan, Math.round(speedPct)),
  deviceSetDefaultFanSpeed: (device, fan) => call(device, fan),
  deviceSetPowerManagementLimitMw: (device, milliwatts) => call(device, Math.round(milliwatts)),
};

class KoffiNvml implements NvmlLibrary {
  private readonly functions = new Map<NvmlMethod, NativeFunction | null>();

  constructor(private readonly lib: LibraryHandle) {}

  /** The bound function; an NvmlError FUNCTION_NOT_FOUND naming it when this driver lacks it. */
  private native(method: NvmlMethod): NativeFunction {
    const prototypes = PROTOTYPES[method];
    let fn = this.functions.get(method);
    if (fn === undefined) {
      fn = null;
      for (const prototype of prototypes) {
        try {
          fn = this.lib.func(prototype);
          break;
        } catch {
          // Symbol missing in this driver: try the older name, else report FUNCTION_NOT_FOUND.
        }
      }
      this.functions.set(method, fn);
    }
    if (fn === null) throw new NvmlError(FUNCTION_NOT_FOUND, this.name(method));
    return fn;
  }

  private name(method: NvmlMethod): string {
    return functionName(PROTOTYPES[method][0] ?? method);
  }

  /** A non-zero return becomes an NvmlError naming the function. */
  private run<K extends NvmlMethod>(method: K, ...args: NvmlArgs<K>): NvmlResult<K> {
    const plan = PLANS[method](...args);
    const code = Number(this.native(method)(...plan.args));
    if (code !== 0) throw new NvmlError(code, this.name(method));
    return plan.result();
  }

  readonly callAsync: NvmlAsyncCall = (method, ...args) =>
    new Promise((resolve, reject) => {
      const plan = PLANS[method](...args);
      const done = (error: unknown, code: unknown) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        if (Number(code) !== 0) return reject(new NvmlError(Number(code), this.name(method)));
        try {
          resolve(plan.result());
        } catch (failure) {
          reject(failure instanceof Error ? failure : new Error(String(failure)));
        }
      };
      this.native(method).async(...plan.args, done);
    });

  init(): void {
    this.run('init');
  }
  shutdown(): void {
    this.run('shutdown');
  }
  systemGetDriverVersion(): string {
    return this.run('systemGetDriverVersion');
  }
  deviceGetCount(): number {
    return this.run('deviceGetCount');
  }
  deviceGetHandleByIndex(index: number): NvmlDeviceHandle {
    return this.run('deviceGetHandleByIndex', index);
  }
  deviceGetUUID(device: NvmlDeviceHandle): string {
    return this.run('deviceGetUUID', device);
  }
  deviceGetName(device: NvmlDeviceHandle): string {
    return this.run('deviceGetName', device);
  }
  deviceGetPciBusId(device: NvmlDeviceHandle): string {
    return this.run('deviceGetPciBusId', device);
  }
  deviceGetTemperature(device: NvmlDeviceHandle): number {
    return this.run('deviceGetTemperature', device);
  }
  deviceGetMemoryTemperature(device: NvmlDeviceHandle): number {
    return this.run('deviceGetMemoryTemperature', device);
  }
  deviceGetNumFans(device: NvmlDeviceHandle): number {
    return this.run('deviceGetNumFans', device);
  }
  deviceGetFanSpeed(device: NvmlDeviceHandle, fan: number): number {
    return this.run('deviceGetFanSpeed', device, fan);
  }
  deviceGetMinMaxFanSpeed(device: NvmlDeviceHandle): { min: number; max: number } {
    return this.run('deviceGetMinMaxFanSpeed', device);
  }
  deviceGetPowerUsageMw(device: NvmlDeviceHandle): number {
    return this.run('deviceGetPowerUsageMw', device);
  }
  deviceGetPowerManagementLimitMw(device: NvmlDeviceHandle): number {
    return this.run('deviceGetPowerManagementLimitMw', device);
  }
  deviceGetPowerManagementLimitConstraintsMw(device: NvmlDeviceHandle): { min: number; max: number } {
    return this.run('deviceGetPowerManagementLimitConstraintsMw', device);
  }
  deviceGetPowerManagementDefaultLimitMw(device: NvmlDeviceHandle): number {
    return this.run('deviceGetPowerManagementDefaultLimitMw', device);
  }
  deviceGetUtilizationRates(device: NvmlDeviceHandle): { gpu: number; memory: number } {
    return this.run('deviceGetUtilizationRates', device);
  }
  deviceGetMemoryInfo(device: NvmlDeviceHandle): { total: number; free: number; used: number } {
    return this.run('deviceGetMemoryInfo', device);
  }
  deviceGetClockInfoMhz(device: NvmlDeviceHandle, clock: NvmlClock): number {
    return this.run('deviceGetClockInfoMhz', device, clock);
  }
  deviceGetCurrentClocksEventReasons(device: NvmlDeviceHandle): number {
    return this.run('deviceGetCurrentClocksEventReasons', device);
  }
  deviceGetPerformanceState(device: NvmlDeviceHandle): number {
    return this.run('deviceGetPerformanceState', device);
  }
  deviceSetFanSpeed(device: NvmlDeviceHandle, fan: number, speedPct: number): void {
    this.run('deviceSetFanSpeed', device, fan, speedPct);
  }
  deviceSetDefaultFanSpeed(device: NvmlDeviceHandle, fan: number): void {
    this.run('deviceSetDefaultFanSpeed', device, fan);
  }
  deviceSetPowerManagementLimitMw(device: NvmlDeviceHandle, milliwatts: number): void {
    this.run('deviceSetPowerManagementLimitMw', device, milliwatts);
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
