import type { GpuFanReading, GpuReading } from '@skyy/contracts';
import { compact } from '../smi-csv.ts';
import type { ReadingFailure, ReadingSource, Sample, SourceListener } from '../reading-source.ts';
import { nvmlCalls, type NvmlCalls } from './nvml-calls.ts';
import { errorMessage, isAbsentCode, nvmlCodeOf } from './nvml-errors.ts';
import type { NvmlDeviceHandle, NvmlLibrary } from './nvml-library.ts';
import { nvml, runSync, type NvmlProgram } from './nvml-program.ts';

/**
 * Reads every GPU through NVML. A value the card does not support (NOT_SUPPORTED,
 * NO_PERMISSION, FUNCTION_NOT_FOUND) is absent; any other error on a value is a failure of that
 * GPU's reading, recorded with its NVML name so that the alert says what broke.
 */

export interface GpuRead {
  reading?: GpuReading;
  failure?: ReadingFailure;
}

/** The calls that read one GPU (see nvml-program.ts for how it runs). */
export function* readGpu(index: number, at: Date): NvmlProgram<GpuRead> {
  let device: NvmlDeviceHandle;
  let uuid: string;
  try {
    device = yield* nvml('deviceGetHandleByIndex', index);
    uuid = yield* nvml('deviceGetUUID', device);
  } catch (error) {
    return { failure: { index, reason: errorMessage(error) } };
  }
  const problems: string[] = [];
  function* read<T>(value: NvmlProgram<T>): NvmlProgram<T | undefined> {
    try {
      return yield* value;
    } catch (error) {
      if (!isAbsentCode(nvmlCodeOf(error))) problems.push(errorMessage(error));
      return undefined;
    }
  }
  /** Memory temperature never drives control, and boards answer "no sensor" in several ways (any field error, or 0 °C): all mean absent. */
  function* memoryTemperature(): NvmlProgram<number | undefined> {
    try {
      const celsius = yield* nvml('deviceGetMemoryTemperature', device);
      return Number.isFinite(celsius) && celsius > 0 ? celsius : undefined;
    } catch {
      return undefined;
    }
  }
  const fanCount = (yield* read(nvml('deviceGetNumFans', device))) ?? 0;
  const fans: GpuFanReading[] = [];
  for (let fan = 0; fan < fanCount; fan++) {
    const speedPct = yield* read(nvml('deviceGetFanSpeed', device, fan));
    fans.push(compact({ fan, speedPct }));
  }
  const fanRange = fanCount > 0 ? yield* read(nvml('deviceGetMinMaxFanSpeed', device)) : undefined;
  const constraints = yield* read(nvml('deviceGetPowerManagementLimitConstraintsMw', device));
  const utilization = yield* read(nvml('deviceGetUtilizationRates', device));
  const memory = yield* read(nvml('deviceGetMemoryInfo', device));
  const watts = (mw: number | undefined) => (mw === undefined ? undefined : mw / 1000);
  const powerLimitW = watts(yield* read(nvml('deviceGetPowerManagementLimitMw', device)));
  const reading = compact({
    uuid,
    index,
    name: yield* read(nvml('deviceGetName', device)),
    pciBusId: yield* read(nvml('deviceGetPciBusId', device)),
    temperatureC: yield* read(nvml('deviceGetTemperature', device)),
    memoryTemperatureC: yield* memoryTemperature(),
    fans,
    fanMinPct: fanRange?.min,
    fanMaxPct: fanRange?.max,
    powerDrawW: watts(yield* read(nvml('deviceGetPowerUsageMw', device))),
    powerLimitW,
    // NVML's enforced limit needs another call; the requested limit is what the agent sets.
    enforcedPowerLimitW: powerLimitW,
    powerDefaultLimitW: watts(yield* read(nvml('deviceGetPowerManagementDefaultLimitMw', device))),
    powerMinLimitW: watts(constraints?.min),
    powerMaxLimitW: watts(constraints?.max),
    utilizationGpuPct: utilization?.gpu,
    utilizationMemoryPct: utilization?.memory,
    memoryTotalBytes: memory?.total,
    memoryUsedBytes: memory?.used,
    memoryFreeBytes: memory?.free,
    clockGraphicsMhz: yield* read(nvml('deviceGetClockInfoMhz', device, 'graphics')),
    clockSmMhz: yield* read(nvml('deviceGetClockInfoMhz', device, 'sm')),
    clockMemoryMhz: yield* read(nvml('deviceGetClockInfoMhz', device, 'memory')),
    clocksEventReasons: yield* read(nvml('deviceGetCurrentClocksEventReasons', device)),
    pstate: pstateOrAbsent(yield* read(nvml('deviceGetPerformanceState', device))),
    sampledAt: at.toISOString(),
  });
  return problems.length > 0
    ? { reading, failure: { uuid, index, reason: problems.join('; ') } }
    : { reading };
}

/** NVML_PSTATE_UNKNOWN is 32. */
function pstateOrAbsent(value: number | undefined): number | undefined {
  return value !== undefined && value >= 0 && value <= 15 ? value : undefined;
}

function collect(at: Date, reads: GpuRead[]): Sample {
  const sample: Sample = { at, readings: [], failures: [] };
  for (const read of reads) {
    if (read.reading) sample.readings.push(read.reading);
    if (read.failure) sample.failures.push(read.failure);
  }
  return sample;
}

/** Every GPU, synchronously (detection at start, the simulated closed loop). */
export function readAllGpus(lib: NvmlLibrary, at: Date): Sample {
  const count = lib.deviceGetCount();
  const reads: GpuRead[] = [];
  for (let index = 0; index < count; index++) reads.push(runSync(lib, readGpu(index, at)));
  return collect(at, reads);
}

/** A read that has not returned within one poll interval, and at most this, counts as failed. */
export const READ_DEADLINE_MAX_MS = 2000;

/**
 * Polls NVML every interval, all GPUs at once, each in its own lane (nvml-calls.ts) under a
 * deadline of one poll interval (at most 2 s). A GPU whose read does not return in time is a failed
 * reading ("NVML call nvmlDeviceGetTemperature hung for 2.0 s"): the engine puts it in fail-safe at
 * once while the other GPUs' readings go on. While that call stays hung, each poll reports the GPU
 * as failed again without starting another read of it; once the call returns, the next poll reads
 * it afresh and control resumes.
 */
export class NvmlSource implements ReadingSource {
  readonly kind = 'nvml' as const;
  private timer: NodeJS.Timeout | undefined;
  private listener: SourceListener | undefined;
  private polling = false;
  private readonly calls: NvmlCalls;
  /** UUID by index from the last good read, so that a hung read names the GPU. */
  private readonly uuids = new Map<number, string>();
  private count: number | undefined;

  constructor(
    lib: NvmlLibrary,
    private intervalMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.calls = nvmlCalls(lib);
  }

  start(listener: SourceListener): void {
    this.listener = listener;
    this.schedule();
    void this.poll();
  }

  setInterval(intervalMs: number): void {
    this.intervalMs = intervalMs;
    if (this.timer) this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
  }

  private get deadlineMs(): number {
    return Math.min(this.intervalMs, READ_DEADLINE_MAX_MS);
  }

  /** Polls never overlap; with the deadline at most one interval, a poll is over before the next. */
  private async poll(): Promise<void> {
    if (this.polling || !this.listener) return;
    this.polling = true;
    try {
      const sample = await this.readAll(this.now());
      if (sample && this.timer) this.listener.sample(sample);
    } finally {
      this.polling = false;
    }
  }

  private async readAll(at: Date): Promise<Sample | undefined> {
    // NVML enumerates GPUs once, at nvmlInit: the count cannot change, so it is read once. A GPU
    // that falls off the bus stays counted and fails its reads (GPU_IS_LOST): fail-safe.
    if (this.count === undefined) {
      try {
        this.count = await this.calls.run('read:count', nvml('deviceGetCount'), this.deadlineMs);
      } catch (error) {
        this.listener?.problem(`NVML read failed: ${errorMessage(error)}`);
        return undefined;
      }
    }
    const count = this.count;
    const reads = await Promise.all(
      Array.from({ length: count }, (_, index) =>
        this.calls
          .run(`read:${index}`, readGpu(index, at), this.deadlineMs)
          .catch((error: unknown): GpuRead => {
            const uuid = this.uuids.get(index);
            return { failure: { ...(uuid ? { uuid } : {}), index, reason: errorMessage(error) } };
          }),
      ),
    );
    for (const read of reads) if (read.reading) this.uuids.set(read.reading.index, read.reading.uuid);
    return collect(at, reads);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
