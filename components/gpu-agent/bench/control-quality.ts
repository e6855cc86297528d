import type { GpuAgentConfig } from '@skyy/contracts';
import { SimHost } from '@skyy/sim-nvidia-smi';
import { ControlEngine } from '../agent/controller/control-engine.ts';
import { DecisionApplier } from '../agent/controller/decision-applier.ts';
import { NvmlWriter } from '../agent/controller/gpu-writers.ts';
import { readAllGpus } from '../agent/monitor/nvml/nvml-reader.ts';
import { silentLogger } from '../utils/logger.ts';
import { changesPerMinute, overshoot, peak, range, settlingTime, type Point } from './control-metrics.ts';

/**
 * The control-quality half of the benchmark: the real control path (NVML reader, control engine,
 * decision applier, NVML writer) closed around the simulator's thermal model on simulated time,
 * exactly as test/closed-loop.spec.ts runs it, with every GPU stepped from idle to full load at once.
 */

export interface StepScenario {
  /** Capture substring of the GPU model, e.g. '2080'. */
  model: string;
  gpus: number;
  ambientC: number;
  config: GpuAgentConfig;
  /** Minutes at idle before the step, from the idle equilibrium. */
  idleMinutes: number;
  /** Minutes after the step. */
  loadMinutes: number;
  /** The last minutes of the run over which steady state is measured. */
  steadyMinutes: number;
}

export interface GpuStepResult {
  index: number;
  name: string;
  peakC: number;
  overshootC: number;
  /** Seconds; undefined when the temperature was still above band top + 3 at the end. */
  settlingS: number | undefined;
  fanChangesPerMin: number;
  powerChangesPerMin: number;
  steadyTempC: { min: number; max: number };
  steadyFanPct: { min: number; max: number };
  steadyPowerLimitW: { min: number; max: number };
  /** Steady-state window started before the temperature settled: its figures are not steady state. */
  steadyBeforeSettled: boolean;
}

interface GpuTrace {
  temperature: Point[];
  fans: Point[][];
  powerLimit: Point[];
}

export async function runLoadStep(scenario: StepScenario): Promise<GpuStepResult[]> {
  const pollSec = scenario.config.poll_interval_sec;
  const host = SimHost.create({
    models: [scenario.model],
    gpus: scenario.gpus,
    ambientC: scenario.ambientC,
  });
  const nvml = host.nvml();
  nvml.init();
  const engine = new ControlEngine(scenario.config);
  const applier = new DecisionApplier(new NvmlWriter(nvml), silentLogger);
  const traces: GpuTrace[] = host.state.gpus.map((gpu) => ({
    temperature: [],
    fans: gpu.fans.map(() => []),
    powerLimit: [],
  }));

  const stepAt = scenario.idleMinutes * 60;
  const endAt = stepAt + scenario.loadMinutes * 60;
  for (let t = pollSec; t <= endAt; t += pollSec) {
    if (t - pollSec === stepAt) host.setLoad(1);
    host.advance(pollSec);
    const now = new Date(t * 1000);
    engine.observe(readAllGpus(nvml, now));
    const output = engine.step(now);
    await applier.apply(output.gpus, (gpu) => ({
      uuid: gpu.uuid,
      index: gpu.index,
      fans: gpu.fans.map((f) => f.fan),
    }));
    host.state.gpus.forEach((gpu, i) => {
      const trace = traces[i];
      if (!trace) return;
      trace.temperature.push({ t, value: gpu.temperatureC });
      gpu.fans.forEach((fan, f) => trace.fans[f]?.push({ t, value: fan.targetPct }));
      trace.powerLimit.push({ t, value: gpu.powerLimitW });
    });
  }

  const bandTop = scenario.config.defaults.fan_control.max_temp;
  const steadyFrom = endAt - scenario.steadyMinutes * 60;
  return traces.map((trace, index) => {
    const settlingS = settlingTime(trace.temperature, stepAt, bandTop + 3);
    const fanRanges = trace.fans.map((fan) => range(fan, steadyFrom, endAt));
    return {
      index,
      name: host.gpu(index).name,
      peakC: peak(trace.temperature, stepAt) ?? Number.NaN,
      overshootC: overshoot(trace.temperature, bandTop, stepAt),
      settlingS,
      fanChangesPerMin: Math.max(...trace.fans.map((fan) => changesPerMinute(fan, steadyFrom, endAt))),
      powerChangesPerMin: changesPerMinute(trace.powerLimit, steadyFrom, endAt),
      steadyTempC: range(trace.temperature, steadyFrom, endAt),
      steadyFanPct: {
        min: Math.min(...fanRanges.map((r) => r.min)),
        max: Math.max(...fanRanges.map((r) => r.max)),
      },
      steadyPowerLimitW: range(trace.powerLimit, steadyFrom, endAt),
      steadyBeforeSettled: settlingS === undefined || stepAt + settlingS > steadyFrom,
    };
  });
}
