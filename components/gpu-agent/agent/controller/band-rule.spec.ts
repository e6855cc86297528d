import { describe, expect, it } from 'vitest';
import { fanRange, powerScale, startupPowerW, stepPower } from './actuator-rules.ts';
import {
  applyBandRule,
  INITIAL_BAND_STATE,
  roundHalfAway,
  SETTLE_AFTER_SEC,
  type BandRuleInput,
  type CorrectionMode,
} from './band-rule.ts';
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
    ['a running correction continues inside the hysteresis', 53, 51.5, 2, 'above', 55, 'above'],
    ['…and ends within half of it (the GPU is still moving)', 53, 51, 2, 'above', 53, 'hold'],
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

describe('poll-rate independence: gain and max_step are per 5 s', () => {
  // The user's rule written out, as their script applies it once per 5 s loop.
  const usersRule = (current: number, temperatureC: number) =>
    Math.min(Math.max(current + Math.min(Math.max(roundHalfAway(temperatureC - 50), -5), 5), 30), 100);

  it("is exactly the user's rule for a reading 5 s after the last (hysteresis 0, steady temperature)", () => {
    for (let current = 30; current <= 100; current += 7) {
      for (let temperatureC = 35; temperatureC <= 65; temperatureC += 0.5) {
        const result = applyBandRule({
          ...fan,
          current,
          temperatureC,
          hysteresis: 0,
          mode: 'hold',
          elapsedSec: 5,
          trendCPerSec: 0,
        });
        expect(result.next, `${current} % at ${temperatureC} °C`).toBe(usersRule(current, temperatureC));
      }
    }
  });

  /** Runs `readings` steps `elapsedSec` apart at one temperature; returns every output. */
  const run = (temperatureC: number, elapsedSec: number, readings: number, gain = 1) => {
    let state = { mode: 'hold' as CorrectionMode, carry: 0, offsetSec: 0 };
    let current = 60;
    const outputs: number[] = [];
    for (let i = 0; i < readings; i++) {
      const result = applyBandRule({
        ...fan,
        gain,
        current,
        temperatureC,
        hysteresis: 0,
        ...state,
        elapsedSec,
      });
      current = result.next;
      state = { mode: result.mode, carry: result.carry, offsetSec: result.offsetSec };
      outputs.push(current);
    }
    return outputs;
  };

  it.each([
    ['12 °C over: +5 % per 5 s', 62, [65, 70, 75]],
    ['2 °C over: +2 % per 5 s', 52, [62, 64, 66]],
    ['1 °C under: −1 % per 5 s', 49, [59, 58, 57]],
  ])('%s: the same per minute at 1 s polls as at 5 s', (_name, temperatureC, at5s) => {
    expect(run(temperatureC, 5, 3)).toEqual(at5s);
    const at1s = run(temperatureC, 1, 15);
    // Every fifth reading lands where the 5 s poll does; in between, whole steps (no fractions written).
    expect([at1s[4], at1s[9], at1s[14]]).toEqual(at5s);
    expect(at1s.every(Number.isInteger)).toBe(true);
  });

  it('carries fractions, so a small correction is not rounded away at 1 s', () => {
    // gain 0.3 at 3 °C over: round(0.9) = +1 % per 5 s, i.e. 0.2 % per 1 s reading.
    expect(run(53, 1, 10, 0.3).at(-1)).toBe(62);
  });

  it('scales up for a slower poll: a 10 s reading moves twice the 5 s step', () => {
    expect(run(52, 10, 2)).toEqual([64, 68]);
  });
});

describe('damping: approach pause, settle trims, urgent power', () => {
  const base: BandRuleInput = { ...fan, current: 60, temperatureC: 56, hysteresis: 2, mode: 'hold' };

  it.each<[string, number | undefined, number, string]>([
    // name, trend °C/s, next, action
    ['6 °C over and steady: +5 %', 0, 65, 'correct'],
    ['6 °C over and rising: +5 %', 0.05, 65, 'correct'],
    ['6 °C over, falling slowly (would take 10 min): +5 %', -0.01, 65, 'correct'],
    ['6 °C over, falling 0.1 °C/s (there in 1 min): hold', -0.1, 60, 'approaching'],
    ["no trend known yet: the user's step", undefined, 65, 'correct'],
  ])('%s', (_name, trendCPerSec, next, action) => {
    const result = applyBandRule({ ...base, ...(trendCPerSec !== undefined ? { trendCPerSec } : {}) });
    expect(result.next).toBe(next);
    expect(result.action).toBe(action);
  });

  it('never slows the fans while the GPU is above the target, whatever the trend or state', () => {
    for (const temperatureC of [50.5, 51, 53, 60, 80])
      for (const trendCPerSec of [-1, -0.1, -0.01, 0, 0.1])
        for (const mode of ['hold', 'above', 'below'] as const)
          for (const offsetSec of [-500, 0, 500]) {
            const result = applyBandRule({
              ...base,
              temperatureC,
              trendCPerSec,
              mode,
              offsetSec,
              carry: -0.4,
            });
            expect(result.next, `${temperatureC} °C ${trendCPerSec} °C/s ${mode}`).toBeGreaterThanOrEqual(60);
          }
  });

  /** Steps at 5 s at one temperature inside the hysteresis; returns the outputs. */
  const sit = (temperatureC: number, seconds: number, current = 100) => {
    let state = { mode: 'hold' as CorrectionMode, carry: 0, offsetSec: 0 };
    const outputs: number[] = [];
    for (let t = 5; t <= seconds; t += 5) {
      const result = applyBandRule({ ...base, current, temperatureC, ...state, trendCPerSec: 0 });
      current = result.next;
      state = { mode: result.mode, carry: result.carry, offsetSec: result.offsetSec };
      outputs.push(current);
    }
    return outputs;
  };

  it(`brings fans parked at 100 % back down one step per ${SETTLE_AFTER_SEC / 60} min when the GPU sits below the target`, () => {
    // 48.5 °C: inside the ±2 °C hysteresis, so the plain rule would hold 100 % for ever.
    const outputs = sit(48.5, 2 * SETTLE_AFTER_SEC);
    const changes = outputs.filter((v, i) => v !== (outputs[i - 1] ?? 100));
    expect(changes).toEqual([98, 96]); // round(−1.5) = −2 %, once per wait
    expect(outputs[SETTLE_AFTER_SEC / 5 - 2]).toBe(100);
    expect(outputs[SETTLE_AFTER_SEC / 5 - 1]).toBe(98);
  });

  it('trims upward the same way when the GPU sits above the target inside the hysteresis', () => {
    expect(sit(51.5, SETTLE_AFTER_SEC, 60).at(-1)).toBe(62);
  });

  it('does not trim within 1 °C of the target (whole-degree readings), nor on jitter', () => {
    expect(sit(50.5, 10 * SETTLE_AFTER_SEC, 60).every((v) => v === 60)).toBe(true);
    let state = { mode: 'hold' as CorrectionMode, carry: 0, offsetSec: 0 };
    for (let i = 0; i < 200; i++) {
      const result = applyBandRule({ ...base, temperatureC: i % 2 ? 48.5 : 51.5, ...state });
      expect(result.next).toBe(60);
      state = { mode: result.mode, carry: result.carry, offsetSec: result.offsetSec };
    }
  });

  it('lowers the power limit as soon as the GPU is over the target when the fans are exhausted', () => {
    const power: BandRuleInput = {
      minTemp: 55,
      maxTemp: 60,
      gain: 1,
      maxStep: 5,
      lo: 70,
      hi: 100,
      direction: -1,
      hysteresis: 2,
      mode: 'hold',
      current: 100,
      temperatureC: 58.8, // 1.3 °C over the target 57.5: inside the hysteresis
    };
    expect(applyBandRule(power).next).toBe(100);
    expect(applyBandRule({ ...power, urgentAbove: true })).toMatchObject({ next: 99, action: 'urgent' });
    // Below the power target there is nothing to cut, urgent or not.
    expect(applyBandRule({ ...power, temperatureC: 56.5, urgentAbove: true }).next).toBe(100);
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
      state: INITIAL_BAND_STATE,
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
