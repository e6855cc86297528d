import type { GpuFanReading, GpuReading } from '@skyy/contracts';
import { compact } from '../smi-csv.ts';
import type { ReadingFailure, ReadingSource, Sample, SourceListener } from '../reading-source.ts';
import { errorMessage, isAbsentCode, nvmlCodeOf } from './nvml-errors.ts';
import type { NvmlDeviceHandle, NvmlLibrary } from './nvml-library.ts';

/**
 * Reads every GPU through NVML. A value the card does not support (NOT_SUPPORTED,
 * NO_PERMISSION, FUNCTION_NOT_FOUND) is absent; any other error on a value is a failure of that
 * GPU's reading, recorded with its NVML name so that the alert says what broke.
 */
export function readAllGpus(nvml: NvmlLibrary, at: Date): Sample {
  const readings: GpuReading[] = [];
  const failures: ReadingFailure[] = [];
  const count = nvml.deviceGetCount();
  for (let index = 0; index < count; index++) {
    let device: NvmlDeviceHandle;
    let uuid: string;
    try {
      device = nvml.deviceGetHandleByIndex(index);
      uuid = nvml.deviceGetUUID(device);
    } catch (error) {
      failures.push({ index, reason: errorMessage(error) });
      continue;
    }
    const problems: string[] = [];
    const read = <T>(get: () => T): T | undefined => {
      try {
        return get();
      } catch (error) {
        if (!isAbsentCode(nvmlCodeOf(error))) problems.push(errorMessage(error));
        return undefined;
      }
    };
    const fanCount = read(() => nvml.deviceGetNumFans(device)) ?? 0;
    const fans: GpuFanReading[] = [];
    for (let fan = 0; fan < fanCount; fan++) {
      const speedPct = read(() => nvml.deviceGetFanSpeed(device, fan));
      fans.push(compact({ fan, speedPct }));
    }
    const fanRange = fanCount > 0 ? read(() => nvml.deviceGetMinMaxFanSpeed(device)) : undefined;
    const constraints = read(() => nvml.deviceGetPowerManagementLimitConstraintsMw(device));
    const utilization = read(() => nvml.deviceGetUtilizationRates(device));
    const memory = read(() => nvml.deviceGetMemoryInfo(device));
    const watts = (mw: number | undefined) => (mw === undefined ? undefined : mw / 1000);
    const powerLimitW = watts(read(() => nvml.deviceGetPowerManagementLimitMw(device)));
    readings.push(
      compact({
        uuid,
        index,
        name: read(() => nvml.deviceGetName(device)),
        pciBusId: read(() => nvml.deviceGetPciBusId(device)),
        temperatureC: read(() => nvml.deviceGetTemperature(device)),
        fans,
        fanMinPct: fanRange?.min,
        fanMaxPct: fanRange?.max,
        powerDrawW: watts(read(() => nvml.deviceGetPowerUsageMw(device))),
        powerLimitW,
        // NVML's enforced limit needs another call; the requested limit is what the agent sets.
        enforcedPowerLimitW: powerLimitW,
        powerDefaultLimitW: watts(read(() => nvml.deviceGetPowerManagementDefaultLimitMw(device))),
        powerMinLimitW: watts(constraints?.min),
        powerMaxLimitW: watts(constraints?.max),
        utilizationGpuPct: utilization?.gpu,
        utilizationMemoryPct: utilization?.memory,
        memoryTotalBytes: memory?.total,
        memoryUsedBytes: memory?.used,
        memoryFreeBytes: memory?.free,
        clockGraphicsMhz: read(() => nvml.deviceGetClockInfoMhz(device, 'graphics')),
        clockSmMhz: read(() => nvml.deviceGetClockInfoMhz(device, 'sm')),
        clockMemoryMhz: read(() => nvml.deviceGetClockInfoMhz(device, 'memory')),
        clocksEventReasons: read(() => nvml.deviceGetCurrentClocksEventReasons(device)),
        pstate: pstateOrAbsent(read(() => nvml.deviceGetPerformanceState(device))),
        sampledAt: at.toISOString(),
      }),
    );
    if (problems.length > 0) failures.push({ uuid, index, reason: problems.join('; ') });
  }
  return { at, readings, failures };
}

/** NVML_PSTATE_UNKNOWN is 32. */
function pstateOrAbsent(value: number | undefined): number | undefined {
  return value !== undefined && value >= 0 && value <= 15 ? value : undefined;
}

/**
 * Polls NVML every interval. Calls are synchronous (microseconds on a healthy driver); a call that
 * blocks would block the agent, which is why the nvidia-smi sampler exists as a separate process.
 */
export class NvmlSource implements ReadingSource {
  readonly kind = 'nvml' as const;
  private timer: NodeJS.Timeout | undefined;
  private listener: SourceListener | undefined;

  constructor(
    private readonly nvml: NvmlLibrary,
    private intervalMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  start(listener: SourceListener): void {
    this.listener = listener;
    this.schedule();
    this.poll();
  }

  setInterval(intervalMs: number): void {
    this.intervalMs = intervalMs;
    if (this.timer) this.schedule();
  }

  private schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = setInterval(() => this.poll(), this.intervalMs);
  }

  private poll(): void {
    try {
      this.listener?.sample(readAllGpus(this.nvml, this.now()));
    } catch (error) {
      this.listener?.problem(`NVML read failed: ${errorMessage(error)}`);
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
