import type { GpuAgentConfig, GpuReading } from '@skyy/contracts';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG, loadGpuConfigFile, requireConfig } from '../config/load-config.ts';
import type { ReadingFailure } from '../monitor/reading-source.ts';
import { ControlEngine } from './control-engine.ts';

const UUID = 'GPU-5eed0000-0000-4000-8000-000000000000';
const userConfig = requireConfig(loadGpuConfigFile(BUNDLED_CONFIG));
const T0 = Date.parse('2026-11-27T10:00:00Z');
const POLL_MS = userConfig.poll_interval_sec * 1000;

function reading(temperatureC: number | undefined, extra: Partial<GpuReading> = {}): GpuReading {
  return {
    uuid: UUID,
    index: 0,
    name: 'NVIDIA GeForce RTX 2080 SUPER',
    ...(temperatureC !== undefined ? { temperatureC } : {}),
    fans: [
      { fan: 0, speedPct: 38 },
      { fan: 1, speedPct: 38 },
    ],
    fanMinPct: 30,
    fanMaxPct: 100,
    powerLimitW: 250,
    powerDefaultLimitW: 250,
    powerMinLimitW: 105,
    powerMaxLimitW: 350,
    sampledAt: new Date(T0).toISOString(),
    ...extra,
  };
}

describe('control engine with the user gpu_config.yaml', () => {
  let engine: ControlEngine;
  let t: number;

  /** One poll: a sample at the next poll time, then a step. */
  const poll = (
    temperatureC: number | undefined,
    extra: Partial<GpuReading> = {},
    failures: ReadingFailure[] = [],
  ) => {
    t += POLL_MS;
    engine.observe({ at: new Date(t), readings: [reading(temperatureC, extra)], failures });
    return engine.step(new Date(t));
  };
  const gpu = (out: ReturnType<ControlEngine['step']>) => {
    const state = out.gpus[0];
    if (!state) throw new Error('no GPU state');
    return state;
  };

  beforeEach(() => {
    engine = new ControlEngine(userConfig);
    t = T0;
  });

  it('applies the startup values first, then steps toward the band', () => {
    const first = poll(62);
    expect(gpu(first).fans.map((f) => f.toPct)).toEqual([70, 70]);
    expect(gpu(first).power?.toW).toBe(200); // init_power_limit_pct 80 of 250 W
    expect(first.events.map((e) => e.kind)).toEqual(['startup_applied']);

    const second = gpu(poll(62));
    // 62 °C is 12 °C over the fan target 50: +5 % (max_step); 4.5 °C over the power target 57.5: −5 % of default.
    expect(second.fans.map((f) => [f.fromPct, f.toPct])).toEqual([
      [70, 75],
      [70, 75],
    ]);
    expect(second.power).toMatchObject({ fromW: 200, toW: 188, changed: true });
    expect(second.status).toBe('ok');
  });

  it('steps once per reading, however often it is asked', () => {
    poll(40);
    const stepped = gpu(poll(60));
    const again = gpu(engine.step(new Date(t + 1000)));
    expect(again.fans.every((f) => !f.changed && f.toPct === f.fromPct)).toBe(true);
    // …and keeps saying why the fans are where they are.
    expect(again.fans[0]?.reason).toBe(stepped.fans[0]?.reason);
    expect(again.fans[0]?.reason).toBe('60 °C vs target 50 °C: +5 %');
  });

  it('drives the fans to 100 % when no reading arrived for 3 poll intervals, and says so once', () => {
    poll(50);
    poll(50);
    const justBefore = engine.step(new Date(t + 3 * POLL_MS));
    expect(gpu(justBefore).status).toBe('ok');
    const stale = engine.step(new Date(t + 3 * POLL_MS + 1));
    expect(gpu(stale).status).toBe('failsafe');
    expect(gpu(stale).fans.map((f) => f.toPct)).toEqual([100, 100]);
    expect(stale.events).toEqual([
      expect.objectContaining({ kind: 'reading_failed', level: 'critical', gpu: UUID }),
    ]);
    expect(engine.step(new Date(t + 4 * POLL_MS)).events).toEqual([]);

    t += 4 * POLL_MS;
    const recovered = poll(45);
    expect(recovered.events.map((e) => e.kind)).toEqual(['reading_recovered']);
    // Back under the rule, from 100 % downwards, one step at a time.
    expect(gpu(recovered).fans.map((f) => f.toPct)).toEqual([95, 95]);
  });

  it('goes to 100 % at once on a failed reading or a missing temperature', () => {
    poll(50);
    t += POLL_MS;
    engine.observe({
      at: new Date(t),
      readings: [],
      failures: [{ uuid: UUID, reason: 'nvmlDeviceGetTemperature: NVML_ERROR_UNKNOWN' }],
    });
    const failed = engine.step(new Date(t));
    expect(gpu(failed).status).toBe('failsafe');
    expect(gpu(failed).fans.map((f) => f.reason)).toEqual([
      'fail-safe: reading failed: nvmlDeviceGetTemperature: NVML_ERROR_UNKNOWN',
      'fail-safe: reading failed: nvmlDeviceGetTemperature: NVML_ERROR_UNKNOWN',
    ]);

    const fresh = new ControlEngine(userConfig);
    t += POLL_MS;
    fresh.observe({ at: new Date(t), readings: [reading(undefined)], failures: [] });
    expect(gpu(fresh.step(new Date(t))).fans.map((f) => [f.toPct, f.reason])).toEqual([
      [100, 'fail-safe: temperature not reported'],
      [100, 'fail-safe: temperature not reported'],
    ]);
  });

  it('keeps controlling on a partial reading and notes what was missing', () => {
    poll(50);
    const out = gpu(poll(50, {}, [{ uuid: UUID, reason: 'nvmlDeviceGetClockInfo: NVML_ERROR_UNKNOWN' }]));
    expect(out.status).toBe('ok');
    expect(out.notes).toContain('partial reading: nvmlDeviceGetClockInfo: NVML_ERROR_UNKNOWN');
  });

  it('sets fans to max and power to the card minimum at the warning temperature', () => {
    poll(50);
    const warning = poll(86); // shutdown_temp 90 − 5
    expect(gpu(warning).status).toBe('warning');
    expect(gpu(warning).fans.map((f) => f.toPct)).toEqual([100, 100]);
    expect(gpu(warning).power?.toW).toBe(105);
    expect(warning.events.map((e) => e.kind)).toEqual(['warning_temp']);
    expect(warning.actions).toEqual([]);
  });

  it('runs the shutdown action after confirm_readings readings at shutdown_temp, once per episode', () => {
    poll(50);
    const first = poll(90);
    expect(gpu(first).status).toBe('shutdown');
    expect(gpu(first).fans.map((f) => f.toPct)).toEqual([100, 100]);
    expect(gpu(first).power?.toW).toBe(105);
    expect(first.actions).toEqual([]);
    const second = poll(91);
    // The user's file has enable_auto_shutdown: true and no action: host shutdown.
    expect(second.actions).toEqual([
      { action: 'shutdown', gpu: UUID, index: 0, temperatureC: 91, containers: [], vms: [] },
    ]);
    expect(second.events.map((e) => e.kind)).toEqual(['shutdown_temp', 'protection_action']);
    expect(poll(92).actions).toEqual([]);
    poll(60);
    poll(90);
    expect(poll(90).actions).toHaveLength(1);
  });

  it('only alerts at shutdown_temp when enable_auto_shutdown is false', () => {
    const config: GpuAgentConfig = {
      ...userConfig,
      protection: { ...userConfig.protection, enable_auto_shutdown: false },
    };
    engine = new ControlEngine(config);
    poll(50);
    poll(95);
    expect(poll(95).actions.map((a) => a.action)).toEqual(['alert']);
  });

  it('never writes to a GPU marked control: false', () => {
    engine = new ControlEngine({ ...userConfig, gpus: [{ uuid: UUID, control: false }] });
    const out = gpu(poll(95));
    expect(out.status).toBe('monitor-only');
    expect(out.fans).toEqual([]);
    expect(out.power).toBeUndefined();
  });

  it('cuts the power limit inside its hysteresis once every fan is at its maximum above the fan band', () => {
    const capped = (maxSpeed: number): GpuAgentConfig => ({
      ...userConfig,
      defaults: {
        ...userConfig.defaults,
        fan_control: { ...userConfig.defaults.fan_control, max_speed: maxSpeed },
      },
    });
    // 59 °C is 1.5 °C over the power target 57.5: inside the ±2 °C hysteresis.
    engine = new ControlEngine(capped(70)); // init_fan_speed 70 is already this card's maximum
    poll(59);
    const exhausted = gpu(poll(59));
    expect(exhausted.fans.map((f) => f.toPct)).toEqual([70, 70]);
    expect(exhausted.power).toMatchObject({ fromW: 200, toW: 195, changed: true });
    expect(exhausted.power?.reason).toBe('59 °C vs target 57.5 °C: -2 % (fans at max above their band)');

    engine = new ControlEngine(capped(100));
    poll(59);
    const fansLeft = gpu(poll(59));
    expect(fansLeft.fans.map((f) => f.toPct)).toEqual([75, 75]);
    expect(fansLeft.power).toMatchObject({ fromW: 200, toW: 200, changed: false });
  });

  it('spreads the 5 s step over faster polls: 1 s readings reach the same speed in the same time', () => {
    const fast = { ...userConfig, poll_interval_sec: 1 };
    engine = new ControlEngine(fast);
    const at = (seconds: number, temperatureC: number) => {
      engine.observe({ at: new Date(T0 + seconds * 1000), readings: [reading(temperatureC)], failures: [] });
      return gpu(engine.step(new Date(T0 + seconds * 1000)));
    };
    at(0, 62); // startup values: fans 70 %
    const speeds = [1, 2, 3, 4, 5].map((s) => at(s, 62).fans[0]?.toPct);
    // 12 °C over the target: +5 % per 5 s, as one +5 % write at a 5 s poll.
    expect(speeds).toEqual([71, 72, 73, 74, 75]);
  });

  it('leaves fans alone on a card that reports none, and says why', () => {
    poll(50, { fans: [] });
    const out = gpu(poll(60, { fans: [] }));
    expect(out.fans).toEqual([]);
    expect(out.notes).toContain('no fans reported (passively cooled card?): fan control off');
    expect(out.power?.changed).toBe(true);
  });
});
