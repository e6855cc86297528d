import { aGpu, aPoint } from '../../../testing/gpu-fixtures.ts';
import { appendPoint, linePath, livePoint, seriesOf, summarize, valueRange } from './gpu-series.ts';

const day = 24 * 3600_000;

describe('GPU series', () => {
  it('adds a live reading after the history once, however often the same heartbeat arrives', () => {
    const history = [aPoint(20, 55), aPoint(10, 56)];
    const live = livePoint(aGpu({ temperatureC: 61, sampledAt: aPoint(0, 0).at }));
    const once = appendPoint(history, live, day);
    expect(once.map((p) => p.temperatureC)).toEqual([55, 56, 61]);
    expect(appendPoint(once, live, day)).toBe(once);
  });

  it('drops points that fall out of the window as live points come in', () => {
    const history = [aPoint(30, 50), aPoint(5, 52)];
    const next = appendPoint(
      history,
      livePoint(aGpu({ temperatureC: 53, sampledAt: aPoint(0, 0).at })),
      10 * 60_000,
    );
    expect(next.map((p) => p.temperatureC)).toEqual([52, 53]);
  });

  it('takes the mean of the fans as the live fan speed', () => {
    const point = livePoint(aGpu({ fans: [{ fan: 0, speedPct: 40 }, { fan: 1, speedPct: 60 }, { fan: 2 }] }));
    expect(point?.fanPct).toBe(50);
    expect(livePoint(aGpu({ sampledAt: null }))).toBeNull();
  });

  it('summarizes min, max and latest, skipping missing readings', () => {
    const series = seriesOf([aPoint(3, 70), aPoint(2, 45), aPoint(1, null), aPoint(0, 58)], 'temperatureC');
    expect(summarize(series)).toEqual({ min: 45, max: 70, latest: 58 });
    expect(summarize(seriesOf([aPoint(1, null)], 'temperatureC'))).toBeNull();
  });

  it('breaks the line where readings are missing or the agent was silent', () => {
    const frame = { width: 100, height: 10, from: 0, to: 100, min: 0, max: 10 };
    const path = linePath(
      [
        { at: 0, value: 0 },
        { at: 10, value: 10 },
        { at: 20, value: null },
        { at: 30, value: 5 },
        { at: 40, value: 5 },
        { at: 90, value: 0 },
      ],
      frame,
      15,
    );
    expect(path.match(/M/g)).toHaveLength(3);
    expect(path.startsWith('M 0 10 L 10 0 ')).toBe(true);
    // The last point stands alone after a 50 ms gap: drawn as a short dash, not left out.
    expect(path.endsWith('M 88.5 10 L 91.5 10')).toBe(true);
  });

  it('keeps a flat line off the edges and lets readings above a fixed maximum show', () => {
    expect(valueRange([[{ at: 0, value: 60 }]])).toEqual({ min: 59, max: 61 });
    expect(valueRange([[{ at: 0, value: 120 }]], { min: 0, max: 100 })).toEqual({ min: 0, max: 120 });
  });
});
