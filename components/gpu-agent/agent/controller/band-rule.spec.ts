import { describe, expect, it } from 'vitest';
import { fanRange, powerScale, startupPowerW, stepPower } from './actuator-rules.ts';
import { applyBandRule, type CorrectionMode } from './band-rule.ts';
import type { FanRule, PowerRule } from '../config/effective-config.ts';

// The user's fan block: band 45–55 °C (target 50), 30–100 %, gain 1, max_step 5.
const fan = { minTemp: 45, maxTemp: 55, gain: 1, maxStep: 5, lo: 30, hi: 100, direction: 1 as const };

describe('the proportional band rule', () => {
  it.each<[string, number, number, number, CorrectionMode, number, CorrectionMode]>([
    // name, current, temp, hysteresis, mode in, next, mode out
    ['at the target nothing moves', 40, 50, 0, 'hold', 40, 'hold'],
    ['2 °C above → +2 %', 40, 52, 0, 'hold', 42, 'above'],
    ['12 °C above → +5 % (max_step)', 40, 62, 0, 'hold', 45, 'above'],
    ['12 °C below → −5 % (max_step)', 70, 38, 0, 'hold', 65, 'below'],
    ['never below min_speed', 32, 40, 0, 'hold', 30, 'below'],
    ['never above max_speed', 98, 60, 0, 'hold', 100, 'above'],
    ['2.5 °C below rounds away from zero like +2.5', 60, 47.5, 0, 'hold', 57, 'below'],
    ['within the hysteresis: hold', 50, 51.5, 2, 'hold', 50, 'hold'],
    ['beyond the hysteresis: correct', 50, 53, 2, 'hold', 53, 'above'],
    ['a running correction continues inside the hysteresis', 53, 51, 2, 'above', 54, 'above'],
    ['…and stops at the target', 54, 50, 2, 'above', 54, 'hold'],
    ['…and does not reverse before the far edge', 54, 48.5, 2, 'above', 54, 'hold'],
    ['…but reverses beyond it', 54, 47, 2, 'above', 51, 'below'],
  ])('%s', (_name, current, temperatureC, hysteresis, mode, next, modeOut) => {
    const result = applyBandRule({ ...fan, current, temperatureC, hysteresis, mode });
    expect(result.next).toBe(next);
    expect(result.mode).toBe(modeOut);
  });

  it('scales the step with gain', () => {
    expect(
      applyBandRule({ ...fan, gain: 0.5, current: 50, temperatureC: 55, hysteresis: 0, mode: 'hold' }).next,
    ).toBe(53);
    expect(
      applyBandRule({ ...fan, gain: 3, current: 50, temperatureC: 52, hysteresis: 0, mode: 'hold' }).next,
    ).toBe(55);
  });

  it('moves the power limit the other way: hotter → lower', () => {
    const power = { minTemp: 55, maxTemp: 60, gain: 1, maxStep: 5, lo: 70, hi: 100, direction: -1 as const };
    expect(
      applyBandRule({ ...power, current: 100, temperatureC: 60, hysteresis: 0, mode: 'hold' }).next,
    ).toBe(97);
    expect(applyBandRule({ ...power, current: 80, temperatureC: 50, hysteresis: 0, mode: 'hold' }).next).toBe(
      85,
    );
    expect(applyBandRule({ ...power, current: 72, temperatureC: 70, hysteresis: 0, mode: 'hold' }).next).toBe(
      70,
    );
  });

  it('does not flap when the temperature jitters around the target (hysteresis 2)', () => {
    const run = (hysteresis: number) => {
      let current = 50;
      let mode: CorrectionMode = 'hold';
      let changes = 0;
      for (const temperatureC of [49, 51, 49, 51, 50, 51, 49, 52, 48, 51, 49]) {
        const result = applyBandRule({ ...fan, current, temperatureC, hysteresis, mode });
        if (result.next !== current) changes++;
        current = result.next;
        mode = result.mode;
      }
      return changes;
    };
    expect(run(2)).toBe(0);
    // The bare rule would move the fans on almost every reading.
    expect(run(0)).toBeGreaterThan(8);
  });
});

const fanRule: FanRule = {
  min_temp: 45,
  max_temp: 55,
  min_speed: 30,
  max_speed: 100,
  gain: 1,
  max_step: 5,
  hysteresis: 2,
  floor: 0,
};
const powerRule: PowerRule = {
  min_temp: 55,
  max_temp: 60,
  min_pl: 70,
  max_pl: 100,
  gain: 1,
  max_step: 5,
  unit: 'percent',
  hysteresis: 2,
};

describe('fan limits', () => {
  it.each([
    ['config only', {}, 0, { lo: 30, hi: 100 }],
    ['the card accepts 40–95 %', { fanMinPct: 40, fanMaxPct: 95 }, 0, { lo: 40, hi: 95 }],
    ['a floor for fans that stall below 45 %', {}, 45, { lo: 45, hi: 100 }],
    ['the card max below the floor wins', { fanMaxPct: 40 }, 45, { lo: 40, hi: 40 }],
  ])('%s', (_name, reading, floor, expected) => {
    expect(fanRange({ ...fanRule, floor }, reading)).toEqual(expected);
  });
});

describe('power limits', () => {
  const card = { powerDefaultLimitW: 250, powerMinLimitW: 105, powerMaxLimitW: 350 };

  it('reads min_pl / max_pl as percent of the default limit, within the card range', () => {
    const scale = powerScale(powerRule, card);
    expect(scale.ok && scale.scale.range).toEqual({ lo: 175, hi: 250 });
    const low = powerScale({ ...powerRule, min_pl: 30 }, card);
    expect(low.ok && low.scale.range).toEqual({ lo: 105, hi: 250 });
  });

  it('reads them as watts with unit: watts', () => {
    const scale = powerScale({ ...powerRule, unit: 'watts', min_pl: 150, max_pl: 400 }, card);
    expect(scale.ok && scale.scale.range).toEqual({ lo: 150, hi: 350 });
  });

  it('turns percent control off when the card does not report its default limit', () => {
    expect(powerScale(powerRule, { powerMinLimitW: 105 })).toEqual({
      ok: false,
      reason: expect.stringContaining('default power limit'),
    });
  });

  it('steps in percent of the default and sets whole watts', () => {
    const scale = powerScale(powerRule, card);
    if (!scale.ok) throw new Error(scale.reason);
    // 62 °C is 4.5 °C above 57.5: −5 % of 250 W = −12.5 W → 237 or 238 W, whole watts.
    const outcome = stepPower({
      currentW: 250,
      temperatureC: 62,
      rule: powerRule,
      scale: scale.scale,
      mode: 'hold',
    });
    expect(outcome.value).toBe(238);
    expect(outcome.reason).toBe('62 °C vs target 57.5 °C: -5 %');
  });

  it('computes the startup limit from percent or watts, within the card range', () => {
    expect(startupPowerW({ init_power_limit_pct: 80 }, card)).toBe(200);
    expect(startupPowerW({ init_power_limit_pct: 10 }, card)).toBe(105);
    expect(startupPowerW({ init_power_limit_w: 300, init_power_limit_pct: 80 }, card)).toBe(300);
    expect(startupPowerW({}, card)).toBeUndefined();
  });
});
