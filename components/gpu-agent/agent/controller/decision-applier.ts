import type { GpuAgentGpuState } from '@skyy/contracts';
import type { Logger } from '../../utils/logger.ts';
import { errorMessage } from '../monitor/nvml/nvml-errors.ts';
import type { EngineEvent } from './control-engine.ts';
import type { GpuTarget, GpuWriter } from './gpu-writers.ts';

/**
 * Turns decisions into writes. It remembers what is in effect per GPU and writes only what
 * differs, so a steady state costs no driver calls and a failed write is retried on the next step.
 * In dry-run there is no writer: each decision that would change something is logged instead.
 */

export interface ApplyResult {
  events: EngineEvent[];
  writes: { uuid: string; actuator: string; value: number }[];
  failures: { uuid: string; actuator: string; message: string }[];
}

interface InEffect {
  fans: Map<number, number>;
  powerW?: number;
}

export class DecisionApplier {
  private readonly inEffect = new Map<string, InEffect>();
  /** Last failure message per actuator, so a persistent failure is one event, not one per poll. */
  private readonly lastFailure = new Map<string, string>();

  constructor(
    private readonly writer: GpuWriter | undefined,
    private readonly log: Logger,
  ) {}

  get dryRun(): boolean {
    return this.writer === undefined;
  }

  async apply(
    gpus: readonly GpuAgentGpuState[],
    targetOf: (gpu: GpuAgentGpuState) => GpuTarget,
  ): Promise<ApplyResult> {
    const result: ApplyResult = { events: [], writes: [], failures: [] };
    for (const gpu of gpus) {
      const effect = this.inEffect.get(gpu.uuid) ?? { fans: new Map<number, number>() };
      this.inEffect.set(gpu.uuid, effect);
      const target = targetOf(gpu);
      for (const fan of gpu.fans) {
        if (effect.fans.get(fan.fan) === fan.toPct) continue;
        const ok = await this.write(gpu, `fan ${fan.fan}`, fan.toPct, '%', fan.reason, result, () =>
          this.writer?.setFanSpeed(target, fan.fan, fan.toPct),
        );
        if (ok) effect.fans.set(fan.fan, fan.toPct);
      }
      if (gpu.power && effect.powerW !== gpu.power.toW) {
        const power = gpu.power;
        const ok = await this.write(gpu, 'power', power.toW, 'W', power.reason, result, () =>
          this.writer?.setPowerLimit(target, power.toW),
        );
        if (ok) effect.powerW = power.toW;
      }
    }
    return result;
  }

  private async write(
    gpu: GpuAgentGpuState,
    actuator: string,
    value: number,
    unit: string,
    reason: string,
    result: ApplyResult,
    perform: () => Promise<void> | undefined,
  ): Promise<boolean> {
    const fields = {
      gpu: gpu.index,
      uuid: gpu.uuid,
      temperature: gpu.reading?.temperatureC,
      status: gpu.status,
      reason,
    };
    const key = `${gpu.uuid}/${actuator}`;
    if (this.dryRun) {
      this.log.info(`[dry-run] GPU ${gpu.index} ${actuator} → ${value} ${unit}`, fields);
      result.writes.push({ uuid: gpu.uuid, actuator, value });
      return true;
    }
    try {
      await perform();
      this.log.info(`GPU ${gpu.index} ${actuator} → ${value} ${unit}`, fields);
      result.writes.push({ uuid: gpu.uuid, actuator, value });
      this.lastFailure.delete(key);
      return true;
    } catch (error) {
      const message = errorMessage(error);
      result.failures.push({ uuid: gpu.uuid, actuator, message });
      if (this.lastFailure.get(key) !== message) {
        this.lastFailure.set(key, message);
        result.events.push({
          level: gpu.status === 'failsafe' || gpu.status === 'shutdown' ? 'critical' : 'error',
          kind: 'write_failed',
          gpu: gpu.uuid,
          message: `GPU ${gpu.index} (${gpu.uuid}): setting ${actuator} to ${value} ${unit} failed: ${message}`,
        });
      }
      return false;
    }
  }

  /** After a restore the driver owns the fans again: forget what the agent had set. */
  forget(): void {
    this.inEffect.clear();
  }
}
