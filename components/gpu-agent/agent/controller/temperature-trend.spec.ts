import { describe, expect, it } from 'vitest';
import { TemperatureTrend, TREND_WINDOW_SEC } from './temperature-trend.ts';

/** Feeds whole-degree readings of `celsiusAt(t)` every `pollSec` up to `untilSec`. */
function feed(celsiusAt: (t: number) => number, pollSec: number, untilSec: number): TemperatureTrend {
  const trend = new TemperatureTrend();
  for (let t = 0; t <= untilSec; t += pollSec) trend.add(t * 1000, Math.round(celsiusAt(t)));
  return trend;
}

describe('temperature trend from whole-degree readings', () => {
  it('gives no trend until the readings span half the window', () => {
    expect(feed((t) => 50 + t / 5, 5, 10).perSecond()).toBeUndefined();
    expect(feed((t) => 50 + t / 5, 5, TREND_WINDOW_SEC / 2).perSecond()).toBeCloseTo(0.2, 1);
  });

  it.each([
    ['falling 0.1 °C/s at a 5 s poll', -0.1, 5],
    ['falling 0.1 °C/s at a 1 s poll', -0.1, 1],
    ['rising 0.05 °C/s at a 1 s poll', 0.05, 1],
  ])('reads %s within 0.02 °C/s despite 1 °C steps', (_name, rate, pollSec) => {
    const trend = feed((t) => 60 + rate * t, pollSec, 300);
    expect(Math.abs((trend.perSecond() ?? Number.NaN) - rate)).toBeLessThan(0.02);
  });

  it('forgets readings older than the window: a GPU that stopped falling reads steady', () => {
    const trend = feed((t) => (t < 100 ? 70 - t / 10 : 60), 5, 100 + TREND_WINDOW_SEC);
    expect(trend.perSecond()).toBe(0);
  });

  it('starts again when the clock steps back', () => {
    const trend = feed((t) => 50 + t / 10, 5, 60);
    trend.add(1000, 50);
    expect(trend.perSecond()).toBeUndefined();
  });
});
