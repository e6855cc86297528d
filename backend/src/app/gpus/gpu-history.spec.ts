import { describe, expect, it } from 'vitest';
import { autoStepSeconds, bucketStart, downsample, readingRow, series } from './gpu-history.ts';
import type { GpuReadingsTable } from './gpus.table.ts';

const raw = (
  at: string,
  temperature: number | null,
  samples = 1,
  fan: number | null = 50,
): GpuReadingsTable => ({
  uuid: 'GPU-1',
  resolution: 'raw',
  at,
  samples,
  temperature_c: temperature,
  fan_pct: fan,
  power_draw_w: null,
  power_limit_w: null,
  utilization_pct: null,
});

describe('GPU readings history', () => {
  it('charts the mean of a GPU’s fans, the enforced power limit, and skips readings with nothing to chart', () => {
    const row = readingRow(
      'GPU-1',
      {
        uuid: 'GPU-1',
        index: 0,
        temperatureC: 61,
        fans: [{ fan: 0, speedPct: 40 }, { fan: 1, speedPct: 60 }, { fan: 2 }],
        powerLimitW: 320,
        enforcedPowerLimitW: 300,
        sampledAt: '2026-11-27T10:00:00.000Z',
      },
      '2026-11-27T10:00:00.000Z',
    );
    expect(row).toMatchObject({ temperature_c: 61, fan_pct: 50, power_limit_w: 300, power_draw_w: null });
    expect(
      readingRow('GPU-1', { uuid: 'GPU-1', index: 0, fans: [], sampledAt: '2026-11-27T10:00:00.000Z' }, 'x'),
    ).toBeNull();
  });

  it('aligns buckets to the epoch', () => {
    expect(bucketStart('2026-11-27T10:04:59.999Z', 300_000)).toBe('2026-11-27T10:00:00.000Z');
    expect(bucketStart('2026-11-27T10:05:00.000Z', 300_000)).toBe('2026-11-27T10:05:00.000Z');
  });

  it('averages raw readings into 5-minute buckets, ignoring absent values', () => {
    const buckets = downsample(
      [
        raw('2026-11-27T10:00:00.000Z', 50),
        raw('2026-11-27T10:00:30.000Z', 60, 1, null),
        raw('2026-11-27T10:04:30.000Z', null),
        raw('2026-11-27T10:05:00.000Z', 70),
      ],
      [],
    );
    expect(buckets).toEqual([
      expect.objectContaining({
        resolution: '5m',
        at: '2026-11-27T10:00:00.000Z',
        samples: 3,
        temperature_c: 55,
        fan_pct: 50,
      }),
      expect.objectContaining({ at: '2026-11-27T10:05:00.000Z', samples: 1, temperature_c: 70 }),
    ]);
  });

  it('adds late readings to a stored bucket by weight instead of replacing it', () => {
    const stored = { ...raw('2026-11-27T10:00:00.000Z', 40, 9), resolution: '5m' as const };
    const [merged] = downsample([raw('2026-11-27T10:01:00.000Z', 50)], [stored]);
    expect(merged).toMatchObject({ samples: 10, temperature_c: 41 });
  });

  it('re-buckets rows of both resolutions to the step a chart asks for', () => {
    const points = series(
      [
        { ...raw('2026-11-27T10:00:00.000Z', 40, 10), resolution: '5m' },
        { ...raw('2026-11-27T10:05:00.000Z', 50, 10), resolution: '5m' },
        raw('2026-11-27T10:10:00.000Z', 70),
      ],
      600_000,
    );
    expect(points).toEqual([
      expect.objectContaining({ at: '2026-11-27T10:00:00.000Z', samples: 20, temperatureC: 45 }),
      expect.objectContaining({ at: '2026-11-27T10:10:00.000Z', samples: 1, temperatureC: 70 }),
    ]);
  });

  it('picks about 240 points per chart and never less than the heartbeat interval', () => {
    expect(autoStepSeconds(0, 3_600_000)).toBe(30);
    expect(autoStepSeconds(0, 24 * 3_600_000)).toBe(360);
    expect(autoStepSeconds(0, 30 * 24 * 3_600_000)).toBe(10_800);
  });
});
