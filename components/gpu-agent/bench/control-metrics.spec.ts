import { describe, expect, it } from 'vitest';
import { changesPerMinute, overshoot, peak, range, settlingTime, type Point } from './control-metrics.ts';

/** A series sampled every `every` seconds from t = 0. */
const series = (values: number[], every = 5): Point[] => values.map((value, i) => ({ t: i * every, value }));

describe('benchmark control-quality metrics', () => {
  // Idle at 40, step at t = 10 s, rises to 60 at t = 25 s, comes back to 54 by t = 40 s.
  const temperature = series([40, 40, 45, 52, 58, 60, 57, 56, 54, 54, 54]);

  it('overshoot is how far the peak after the step rises above the limit, 0 when it stays below', () => {
    expect(peak(temperature, 10)).toBe(60);
    expect(overshoot(temperature, 55, 10)).toBe(5);
    expect(overshoot(temperature, 61, 10)).toBe(0);
    // Points before the step do not count.
    expect(overshoot(series([70, 40, 41]), 55, 5)).toBe(0);
  });

  it('settling time runs from the step to the first point after the last one above the limit', () => {
    // Above 58 only at t = 25 (60); 57 at t = 30 is at or below: settled 20 s after the step.
    expect(settlingTime(temperature, 10, 58)).toBe(20);
    // A limit of 55: above until t = 35 (56), settled at t = 40.
    expect(settlingTime(temperature, 10, 55)).toBe(30);
    // A dip below the limit and back above does not count as settled.
    expect(settlingTime(series([50, 60, 50, 60, 50, 50]), 0, 55)).toBe(20);
  });

  it('settling time is 0 when never above the limit and undefined when still above at the end', () => {
    expect(settlingTime(temperature, 10, 61)).toBe(0);
    expect(settlingTime(series([40, 60, 62]), 0, 58)).toBeUndefined();
  });

  it('counts changes per minute inside the window only, including a change at its first point', () => {
    // Every 5 s for 2 minutes: changes at t = 60, 65 and 100.
    const fan = series([
      ...Array<number>(12).fill(50),
      55,
      60,
      ...Array<number>(6).fill(60),
      55,
      55,
      55,
      55,
      55,
    ]);
    expect(changesPerMinute(fan, 0, 120)).toBe(1.5);
    expect(changesPerMinute(fan, 60, 120)).toBe(3);
    expect(changesPerMinute(fan, 70, 120)).toBe(1.2);
    expect(changesPerMinute(fan, 105, 120)).toBe(0);
    expect(() => changesPerMinute(fan, 60, 60)).toThrow(/empty window 60\.\.60 s/);
  });

  it('range is the lowest and highest value in the window', () => {
    expect(range(temperature, 30, 50)).toEqual({ min: 54, max: 57 });
    expect(() => range(temperature, 60, 70)).toThrow(/no points in 60\.\.70 s/);
  });
});
