import { errorMessage, nvmlCodeOf } from '../monitor/nvml/nvml-errors.ts';
import { NvmlHungError, nvmlCalls, type NvmlCalls } from '../monitor/nvml/nvml-calls.ts';
import type { NvmlDeviceHandle, NvmlLibrary } from '../monitor/nvml/nvml-library.ts';
import { nvml, type NvmlProgram } from '../monitor/nvml/nvml-program.ts';
import { runChecked, type CommandRunner } from '../../utils/runner.ts';

/**
 * Where decisions go. NVML (driver ≥ R520: per-fan speeds and power limits without an X server),
 * or the legacy path: `nvidia-smi -pl` for power and `nvidia-settings` on a headless X server with
 * Coolbits for fans. In dry-run the agent logs instead of calling a writer.
 */

export interface GpuTarget {
  uuid: string;
  index: number;
  /** Fan numbers of this GPU, as in the readings. */
  fans: number[];
  /** Default power limit, restored on exit. */
  defaultPowerW?: number;
}

export interface GpuWriter {
  readonly name: string;
  setFanSpeed(gpu: GpuTarget, fan: number, pct: number): Promise<void>;
  setPowerLimit(gpu: GpuTarget, watts: number): Promise<void>;
  /** Fans back to the driver's automatic control. */
  restoreFans(gpu: GpuTarget): Promise<void>;
  /** Power limit back to the card's default. */
  restorePower(gpu: GpuTarget): Promise<void>;
}

/** Both restores, attempting the second even when the first fails. */
export async function restoreDefaults(writer: GpuWriter, gpu: GpuTarget): Promise<void> {
  const problems: string[] = [];
  for (const restore of [() => writer.restoreFans(gpu), () => writer.restorePower(gpu)]) {
    try {
      await restore();
    } catch (error) {
      problems.push(errorMessage(error));
    }
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
}

/** A write (or restore) that has not returned within this counts as failed. */
export const WRITE_DEADLINE_MS = 2000;

/**
 * NVML writes run like reads (nvml-calls.ts): asynchronously, one at a time per GPU, under a
 * deadline. A write the driver never returns from fails at the deadline, and later writes to that
 * GPU fail at once while it is outstanding, so a step of the agent never waits on it for longer:
 * the fail-safe's state, alert, metrics and heartbeat do not depend on the driver answering.
 */
export class NvmlWriter implements GpuWriter {
  readonly name = 'nvml';
  private readonly handles = new Map<string, NvmlDeviceHandle>();
  private readonly calls: NvmlCalls;

  constructor(
    nvml: NvmlLibrary,
    private readonly deadlineMs = WRITE_DEADLINE_MS,
  ) {
    this.calls = nvmlCalls(nvml);
  }

  /** NVML handles by UUID; the index of a GPU is only a hint (it can change at boot). */
  private *device(gpu: GpuTarget): NvmlProgram<NvmlDeviceHandle> {
    const cached = this.handles.get(gpu.uuid);
    if (cached !== undefined) return cached;
    const count = yield* nvml('deviceGetCount');
    const order = [gpu.index, ...Array.from({ length: count }, (_, i) => i).filter((i) => i !== gpu.index)];
    for (const index of order) {
      if (index >= count) continue;
      const handle = yield* nvml('deviceGetHandleByIndex', index);
      if ((yield* nvml('deviceGetUUID', handle)) === gpu.uuid) {
        this.handles.set(gpu.uuid, handle);
        return handle;
      }
    }
    throw new Error(`GPU ${gpu.uuid} not found by NVML`);
  }

  private async write(gpu: GpuTarget, program: NvmlProgram<void>): Promise<void> {
    try {
      await this.calls.run(`write:${gpu.uuid}`, program, this.deadlineMs);
    } catch (error) {
      // The same words on every retry while the call is outstanding: one write_failed event, not one per step.
      if (error instanceof NvmlHungError && error.call) {
        throw new NvmlHungError(
          `NVML call ${error.call.fn} has not returned since ${new Date(error.call.since).toISOString()}`,
          error.call,
        );
      }
      throw error;
    }
  }

  setFanSpeed(gpu: GpuTarget, fan: number, pct: number): Promise<void> {
    return this.write(gpu, this.setFanProgram(gpu, fan, pct));
  }

  setPowerLimit(gpu: GpuTarget, watts: number): Promise<void> {
    return this.write(gpu, this.setPowerProgram(gpu, watts));
  }

  restoreFans(gpu: GpuTarget): Promise<void> {
    return this.write(gpu, this.restoreFansProgram(gpu));
  }

  restorePower(gpu: GpuTarget): Promise<void> {
    return this.write(gpu, this.restorePowerProgram(gpu));
  }

  private *setFanProgram(gpu: GpuTarget, fan: number, pct: number): NvmlProgram<void> {
    yield* nvml('deviceSetFanSpeed', yield* this.device(gpu), fan, pct);
  }

  private *setPowerProgram(gpu: GpuTarget, watts: number): NvmlProgram<void> {
    yield* nvml('deviceSetPowerManagementLimitMw', yield* this.device(gpu), watts * 1000);
  }

  private *restoreFansProgram(gpu: GpuTarget): NvmlProgram<void> {
    const device = yield* this.device(gpu);
    const problems: string[] = [];
    for (const fan of gpu.fans) {
      try {
        yield* nvml('deviceSetDefaultFanSpeed', device, fan);
      } catch (error) {
        problems.push(`fan ${fan}: ${errorMessage(error)}`);
      }
    }
    if (problems.length > 0) throw new Error(problems.join('; '));
  }

  private *restorePowerProgram(gpu: GpuTarget): NvmlProgram<void> {
    const device = yield* this.device(gpu);
    try {
      const milliwatts = yield* nvml('deviceGetPowerManagementDefaultLimitMw', device);
      yield* nvml('deviceSetPowerManagementLimitMw', device, milliwatts);
    } catch (error) {
      // A card without power management has nothing to restore.
      if (nvmlCodeOf(error) !== 3) throw error;
    }
  }
}

export interface LegacyWriterOptions {
  runner: CommandRunner;
  nvidiaSmi: string;
  nvidiaSettings: string;
  /** X display with Coolbits for nvidia-settings, e.g. `:0` (see systemd/xorg-headless.service). */
  display: string;
  /** nvidia-settings numbers fans across all GPUs: the number of fans before this GPU's first. */
  fanOffset(gpu: GpuTarget): number;
  env?: NodeJS.ProcessEnv;
}

/** nvidia-smi for power, nvidia-settings for fans: drivers before R520, or NVML without fan functions. */
export class LegacyWriter implements GpuWriter {
  readonly name = 'nvidia-smi + nvidia-settings';

  constructor(private readonly options: LegacyWriterOptions) {}

  private settings(args: string[]) {
    const { runner, nvidiaSettings, display, env } = this.options;
    return runChecked(runner, nvidiaSettings, ['-c', display, ...args], { ...(env ? { env } : {}) });
  }

  async setFanSpeed(gpu: GpuTarget, fan: number, pct: number): Promise<void> {
    const globalFan = this.options.fanOffset(gpu) + fan;
    await this.settings([
      '-a',
      `[gpu:${gpu.index}]/GPUFanControlState=1`,
      '-a',
      `[fan:${globalFan}]/GPUTargetFanSpeed=${Math.round(pct)}`,
    ]);
  }

  async setPowerLimit(gpu: GpuTarget, watts: number): Promise<void> {
    const { runner, nvidiaSmi, env } = this.options;
    await runChecked(runner, nvidiaSmi, ['-i', gpu.uuid, '-pl', String(watts)], { ...(env ? { env } : {}) });
  }

  async restoreFans(gpu: GpuTarget): Promise<void> {
    await this.settings(['-a', `[gpu:${gpu.index}]/GPUFanControlState=0`]);
  }

  async restorePower(gpu: GpuTarget): Promise<void> {
    if (gpu.defaultPowerW !== undefined) await this.setPowerLimit(gpu, gpu.defaultPowerW);
  }
}

/** Fans through one writer, power through another (NVML power with nvidia-settings fans on old drivers). */
export class SplitWriter implements GpuWriter {
  readonly name: string;
  constructor(
    private readonly fans: GpuWriter,
    private readonly power: GpuWriter,
  ) {
    this.name = `fans: ${fans.name}, power: ${power.name}`;
  }
  setFanSpeed(gpu: GpuTarget, fan: number, pct: number): Promise<void> {
    return this.fans.setFanSpeed(gpu, fan, pct);
  }
  setPowerLimit(gpu: GpuTarget, watts: number): Promise<void> {
    return this.power.setPowerLimit(gpu, watts);
  }
  restoreFans(gpu: GpuTarget): Promise<void> {
    return this.fans.restoreFans(gpu);
  }
  restorePower(gpu: GpuTarget): Promise<void> {
    return this.power.restorePower(gpu);
  }
}
