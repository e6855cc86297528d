import type { GpuAgentConfig } from '@skyy/contracts';
import { NVML_CODE, SimHost } from '@skyy/sim-nvidia-smi';
import { describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG, loadGpuConfigFile, requireConfig } from '../agent/config/load-config.ts';
import { ControlEngine, type EngineOutput } from '../agent/controller/control-engine.ts';
import { DecisionApplier } from '../agent/controller/decision-applier.ts';
import { NvmlWriter } from '../agent/controller/gpu-writers.ts';
import { readAllGpus } from '../agent/monitor/nvml/nvml-reader.ts';
import { silentLogger } from '../utils/logger.ts';

/**
 * The real control path — NVML reader, control engine, decision applier, NVML writer — closed
 * around the simulator's thermal model through its fake NVML, on simulated time (the config's
 * poll interval: 5 s in the user's file).
 */

const userConfig = requireConfig(loadGpuConfigFile(BUNDLED_CONFIG));

interface Trace {
  minute: number;
  temperatureC: number;
  fanPct: number;
  powerLimitW: number;
  output: EngineOutput;
}

async function closedLoop(
  host: SimHost,
  config: GpuAgentConfig,
  minutes: number,
  before?: (minute: number) => void,
) {
  const nvml = host.nvml();
  nvml.init();
  const engine = new ControlEngine(config);
  const applier = new DecisionApplier(new NvmlWriter(nvml), silentLogger);
  const trace: Trace[] = [];
  const pollSec = config.poll_interval_sec;
  for (let i = 0; i < (minutes * 60) / pollSec; i++) {
    const minute = (i * pollSec) / 60;
    before?.(minute);
    host.advance(pollSec);
    const now = new Date((i + 1) * pollSec * 1000);
    engine.observe(readAllGpus(nvml, now));
    const output = engine.step(now);
    await applier.apply(output.gpus, (gpu) => ({
      uuid: gpu.uuid,
      index: gpu.index,
      fans: gpu.fans.map((f) => f.fan),
    }));
    const gpu = host.gpu(0);
    trace.push({
      minute,
      temperatureC: gpu.temperatureC,
      fanPct: gpu.fans[0]?.targetPct ?? 0,
      powerLimitW: gpu.powerLimitW,
      output,
    });
  }
  return trace;
}

const fanChanges = (trace: Trace[]) =>
  trace.filter((t, i) => i > 0 && t.fanPct !== trace[i - 1]?.fanPct).length;
const powerChanges = (trace: Trace[]) =>
  trace.filter((t, i) => i > 0 && t.powerLimitW !== trace[i - 1]?.powerLimitW).length;

/**
 * The coolest the model can hold this GPU at full load: every fan at its maximum and the power
 * limit at the config's min_pl (or the card's minimum). Where that is above band top + 3 °C no
 * controller can meet the band, and the test asks for exactly that setting instead.
 */
function lowestPowerLimitW(host: SimHost, config: GpuAgentConfig): number {
  const gpu = host.gpu(0);
  const { min_pl, unit } = config.defaults.power_control;
  return Math.round(
    Math.max(unit === 'watts' ? min_pl : (min_pl * gpu.defaultPowerLimitW) / 100, gpu.minPowerLimitW),
  );
}

function coolestReachableC(host: SimHost, config: GpuAgentConfig): number {
  const gpu = host.gpu(0);
  const minPlW = lowestPowerLimitW(host, config);
  const conductance =
    gpu.thermal.conductanceBaseWPerC + (gpu.thermal.conductanceFanWPerC * gpu.fanMaxPct) / 100;
  return gpu.thermal.ambientC + Math.min(gpu.fullLoadPowerW, minPlW) / conductance;
}

describe('closed loop against the thermal model', () => {
  it('holds a GPU stepped from idle to full load within 3 °C above the band top, without fan oscillation', async () => {
    const host = SimHost.create({ models: ['2080'], ambientC: 30 });
    const trace = await closedLoop(host, userConfig, 60, (minute) => minute === 10 && host.setLoad(1));
    const bandTop = userConfig.defaults.fan_control.max_temp;
    const settled = trace.filter((t) => t.minute >= 25);
    expect(Math.max(...settled.map((t) => t.temperatureC))).toBeLessThanOrEqual(bandTop + 3);
    // The load is real: without control the card would settle far hotter (fans at 30 %).
    expect(Math.max(...trace.map((t) => t.temperatureC))).toBeGreaterThan(
      userConfig.defaults.fan_control.min_temp,
    );
    expect(fanChanges(trace.filter((t) => t.minute >= 40))).toBe(0);
    expect(trace.at(-1)?.fanPct).toBeGreaterThan(60);
  });

  /*
   * Issue #6: after an idle → full-load step the GPU settles within band top + 3 °C and the fans do
   * not oscillate, whatever the room and whatever the poll. Steady state is the last 10 minutes of
   * 40 minutes at full load. The bound of 1 fan change a minute allows the rare 1 % trim a 1 °C
   * reading step causes (a change every minute or more is no audible or mechanical wear); the
   * limit cycles this replaces ran at 3–30 changes a minute. Rooms of 25–40 °C as in the issue, plus
   * 45 °C where the 4080 SUPER cannot be held at 58 °C even at full fans and min_pl.
   */
  describe.each([5, 1])('idle → full load at poll %i s, user config otherwise', (pollSec) => {
    const config: GpuAgentConfig = { ...userConfig, poll_interval_sec: pollSec };
    const fan = userConfig.defaults.fan_control;
    const bandTop = fan.max_temp;
    const target = (fan.min_temp + fan.max_temp) / 2;

    it.each([
      ['2080', 25],
      ['2080', 30],
      ['2080', 35],
      ['2080', 40],
      ['2080', 45],
      ['4080', 25],
      ['4080', 30],
      ['4080', 35],
      ['4080', 40],
      ['4080', 45],
    ])('%s SUPER in a %i °C room: settles, then holds still', async (model, ambientC) => {
      const host = SimHost.create({ models: [model], gpus: 1, ambientC });
      const trace = await closedLoop(host, config, 50, (minute) => minute === 10 && host.setLoad(1));
      const steady = trace.filter((t) => t.minute >= 40);
      const hottest = Math.max(...steady.map((t) => t.temperatureC));
      const coolest = Math.min(...steady.map((t) => t.temperatureC));
      const gpu = host.gpu(0);
      const fanMax = gpu.fanMaxPct;

      if (coolestReachableC(host, config) <= bandTop + 3) {
        expect(hottest, 'steady-state temperature').toBeLessThanOrEqual(bandTop + 3);
      } else {
        // The physical limit: nothing left to turn down.
        expect(steady.every((t) => t.fanPct === fanMax)).toBe(true);
        expect(steady.at(-1)?.powerLimitW).toBe(lowestPowerLimitW(host, config));
      }
      expect(fanChanges(steady) / 10, 'fan changes per minute at steady state').toBeLessThanOrEqual(1);
      expect(powerChanges(steady) / 10, 'power limit changes per minute at steady state').toBeLessThanOrEqual(
        1,
      );
      // Fans parked at their maximum while the GPU sits well below the target is noise for nothing.
      const fansAtMax = steady.every((t) => t.fanPct === fanMax);
      expect(
        fansAtMax && hottest < target - 1,
        `fans at ${fanMax} % with the GPU at ${coolest.toFixed(1)}–${hottest.toFixed(1)} °C`,
      ).toBe(false);
    });
  });

  it('lowers the power limit when the fans alone cannot hold the band (hot room)', async () => {
    const host = SimHost.create({ models: ['2080'], ambientC: 45 });
    const trace = await closedLoop(host, userConfig, 40, (minute) => minute === 5 && host.setLoad(1));
    const settled = trace.filter((t) => t.minute >= 20);
    expect(settled.every((t) => t.fanPct === 100)).toBe(true);
    expect(trace.at(-1)?.powerLimitW).toBeLessThan(250);
    // Never below min_pl (70 % of the 250 W default).
    expect(Math.min(...trace.map((t) => t.powerLimitW))).toBeGreaterThanOrEqual(175);
    expect(Math.max(...settled.map((t) => t.temperatureC))).toBeLessThanOrEqual(
      userConfig.defaults.fan_control.max_temp + 3,
    );
  });

  it('drives the fans to 100 % within one poll when the temperature sensor fails', async () => {
    const host = SimHost.create({ models: ['2080'], ambientC: 30 });
    const trace = await closedLoop(host, userConfig, 10, (minute) => {
      if (minute === 5) host.fail(0, 'temperature', NVML_CODE.UNKNOWN);
    });
    const failedAt = trace.findIndex((t) => t.minute === 5);
    expect(trace[failedAt - 1]?.fanPct).toBeLessThan(100);
    expect(trace[failedAt]?.fanPct).toBe(100);
    expect(host.gpu(0).fans.every((fan) => fan.targetPct === 100)).toBe(true);
    expect(trace[failedAt]?.output.events.map((e) => e.kind)).toContain('reading_failed');
  });

  it('fires shutdown protection at the threshold: fans max and power min first, then the action', async () => {
    // An 84 °C room: even max fans and the card's minimum power limit leave the GPU above 90 °C.
    const host = SimHost.create({ models: ['2080'], ambientC: 84 });
    const trace = await closedLoop(host, userConfig, 30, (minute) => minute === 1 && host.setLoad(1));
    const firstOver = trace.findIndex((t) => t.output.gpus[0]?.status === 'shutdown');
    expect(firstOver).toBeGreaterThan(0);
    expect(Math.round(trace[firstOver]?.temperatureC ?? 0)).toBeGreaterThanOrEqual(
      userConfig.protection.shutdown_temp - 1,
    );
    const actionStep = trace.findIndex((t) => t.output.actions.length > 0);
    expect(actionStep).toBe(firstOver + 1); // confirm_readings: 2
    expect(trace[actionStep]?.output.actions[0]?.action).toBe('shutdown');
    expect(trace[actionStep]?.fanPct).toBe(100);
    expect(trace[actionStep]?.powerLimitW).toBe(105);
    expect(trace.filter((t) => t.output.actions.length > 0)).toHaveLength(1);
  });
});
