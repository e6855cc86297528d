import { chassisConfigSchema } from '@skyy/contracts';
import { describe, expect, it } from 'vitest';
import {
  dutyByte,
  levelForTemperature,
  nextLevel,
  wholeDegrees,
  zoneByte,
  type LevelRule,
} from './level-rule.ts';

const defaults = chassisConfigSchema.parse({});
/** The script's own numbers, with no minimum (FAN_MIN_LEVEL=20). */
const script: LevelRule = { thresholds: defaults.thresholds, hysteresis: defaults.hysteresis, minLevel: 20 };

describe('chassis level rule (hs-fan-daemon.sh)', () => {
  // initial_level_from_temp: `< 35 → 20`, `35–39 → 30`, … `>= 70 → 100`.
  it.each([
    [-5, 20],
    [34, 20],
    [35, 30],
    [39, 30],
    [40, 40],
    [44, 40],
    [45, 50],
    [49, 50],
    [50, 60],
    [55, 70],
    [60, 80],
    [65, 90],
    [69, 90],
    [70, 100],
    [95, 100],
  ])('first reading %i °C → %i %%', (temp, level) => {
    expect(levelForTemperature(temp, script.thresholds)).toBe(level);
    expect(nextLevel(temp, undefined, script).level).toBe(level);
  });

  // next_level_with_hysteresis, transcribed from the script's case statement: [last, up at ≥, down at ≤].
  const caseTable: [number, number | undefined, number | undefined][] = [
    [20, 37, undefined],
    [30, 42, 33],
    [40, 47, 38],
    [50, 52, 43],
    [60, 57, 48],
    [70, 62, 53],
    [80, 67, 58],
    [90, 72, 63],
    [100, undefined, 68],
  ];
  it.each(caseTable)(
    'from %i %%: up at ≥ %s °C, down at ≤ %s °C, one step, every temperature',
    (last, up, down) => {
      for (let temp = 0; temp <= 110; temp++) {
        const expected =
          up !== undefined && temp >= up ? last + 10 : down !== undefined && temp <= down ? last - 10 : last;
        expect(nextLevel(temp, last, script).level, `${temp} °C from ${last} %`).toBe(expected);
      }
    },
  );

  it('explains each decision', () => {
    expect(nextLevel(47, 40, script).reason).toBe('47 °C ≥ 47 °C (45 + 2): 40 → 50 %');
    expect(nextLevel(43, 50, script).reason).toBe('43 °C ≤ 43 °C (45 − 2): 50 → 40 %');
    expect(nextLevel(46, 50, script).reason).toBe('46 °C: holds 50 % (up at 52 °C, down at 43 °C)');
  });

  it('never goes below min_level (FAN_MIN_LEVEL, default 40)', () => {
    const rule: LevelRule = { ...script, minLevel: defaults.min_level };
    expect(nextLevel(25, undefined, rule)).toEqual({
      level: 40,
      reason: 'first reading 25 °C: band below 35 °C → 20 %, raised to min_level 40 %',
    });
    expect(nextLevel(30, 40, rule).level).toBe(40);
    expect(nextLevel(47, 40, rule).level).toBe(50);
    // A min level raised by a config reload applies at once.
    expect(nextLevel(30, 30, { ...rule, minLevel: 60 }).level).toBe(60);
  });

  it('moves one level per poll even when the temperature jumps', () => {
    const levels: number[] = [];
    let level: number | undefined = 40;
    for (let poll = 0; poll < 8; poll++) {
      level = nextLevel(90, level, script).level;
      levels.push(level);
    }
    expect(levels).toEqual([50, 60, 70, 80, 90, 100, 100, 100]);
  });

  it('uses other tables and hysteresis the same way', () => {
    const rule: LevelRule = { thresholds: [30, 36, 42, 48, 54, 60, 66, 72], hysteresis: 0, minLevel: 30 };
    expect(nextLevel(42, 40, rule).level).toBe(50);
    expect(nextLevel(36, 40, rule).level).toBe(30);
    expect(nextLevel(37, 40, rule).level).toBe(40);
  });

  it.each([
    [57.8, 57],
    [57.1, 57],
    [70, 70],
  ])('counts %f °C as %i (the script strips the decimals)', (celsius, whole) => {
    expect(wholeDegrees(celsius)).toBe(whole);
  });

  // level_to_pwm in the script.
  it.each([
    [20, '0x14'],
    [30, '0x1E'],
    [40, '0x28'],
    [50, '0x32'],
    [60, '0x3C'],
    [70, '0x46'],
    [80, '0x50'],
    [90, '0x5A'],
    [100, '0x64'],
  ])('level %i %% is duty byte %s', (level, byte) => {
    expect(dutyByte(level)).toBe(byte);
  });

  it('writes zones as the unit file does', () => {
    expect([0, 1, 2].map(zoneByte)).toEqual(['0x00', '0x01', '0x02']);
  });
});
