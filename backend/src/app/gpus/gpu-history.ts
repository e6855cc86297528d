import type { GpuHistoryPoint, GpuReading } from '@skyy/contracts';
import type { GpuReadingsTable } from './gpus.table.ts';

/**
 * Readings history as pure functions: one row per heartbeat (`raw`), averaged into 5-minute
 * buckets once older than a day, and bucketed again into the step a chart asks for. Averages
 * are weighted by the number of readings behind each row, so re-averaging averages is exact.
 */

export const BUCKET_MS = 5 * 60_000;
export const RAW_RETENTION_MS = 24 * 60 * 60_000;
export const BUCKET_RETENTION_MS = 30 * 24 * 60 * 60_000;

const METRICS = ['temperature_c', 'fan_pct', 'power_draw_w', 'power_limit_w', 'utilization_pct'] as const;
type Metric = (typeof METRICS)[number];
type Metrics = Record<Metric, number | null>;

/** The history row of one reading; null when the reading carries nothing worth charting. */
export function readingRow(uuid: string, reading: GpuReading, at: string): GpuReadingsTable | null {
  const speeds = reading.fans.flatMap((f) => (f.speedPct === undefined ? [] : [f.speedPct]));
  const metrics: Metrics = {
    temperature_c: reading.temperatureC ?? null,
    fan_pct: speeds.length > 0 ? speeds.reduce((a, b) => a + b, 0) / speeds.length : null,
    power_draw_w: reading.powerDrawW ?? null,
    power_limit_w: reading.enforcedPowerLimitW ?? reading.powerLimitW ?? null,
    utilization_pct: reading.utilizationGpuPct ?? null,
  };
  if (METRICS.every((m) => metrics[m] === null)) return null;
  return { uuid, resolution: 'raw', at, samples: 1, ...metrics };
}

/** Start of the bucket of `stepMs` that `at` falls in, aligned to the epoch. */
export function bucketStart(at: string, stepMs: number): string {
  const ms = Date.parse(at);
  return new Date(ms - (((ms % stepMs) + stepMs) % stepMs)).toISOString();
}

/** Weighted mean of each metric over rows that have it; samples add up. */
function aggregate(rows: readonly GpuReadingsTable[]): Metrics & { samples: number } {
  const out: Metrics & { samples: number } = {
    samples: rows.reduce((n, r) => n + r.samples, 0),
    temperature_c: null,
    fan_pct: null,
    power_draw_w: null,
    power_limit_w: null,
    utilization_pct: null,
  };
  for (const metric of METRICS) {
    let sum = 0;
    let weight = 0;
    for (const row of rows) {
      const value = row[metric];
      if (value === null || value === undefined) continue;
      sum += Number(value) * row.samples;
      weight += row.samples;
    }
    out[metric] = weight > 0 ? sum / weight : null;
  }
  return out;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/**
 * The 5-minute rows for `raw` readings, merged with the buckets already stored for the same
 * GPU and time (a late reading adds to its bucket instead of replacing it).
 */
export function downsample(
  raw: readonly GpuReadingsTable[],
  existing: readonly GpuReadingsTable[],
): GpuReadingsTable[] {
  const key = (r: { uuid: string; at: string }) => `${r.uuid}\u0000${r.at}`;
  const stored = new Map(existing.map((row) => [key(row), row]));
  const groups = groupBy(
    raw.map((row) => ({ ...row, at: bucketStart(row.at, BUCKET_MS) })),
    key,
  );
  return [...groups.values()].map((rows) => {
    const first = rows[0] as GpuReadingsTable;
    const previous = stored.get(key(first));
    return {
      uuid: first.uuid,
      resolution: '5m' as const,
      at: first.at,
      ...aggregate(previous ? [...rows, previous] : rows),
    };
  });
}

/** A chart series: rows of any resolution in buckets of `stepMs` starting at the bucket of `from`. */
export function series(rows: readonly GpuReadingsTable[], stepMs: number): GpuHistoryPoint[] {
  const groups = groupBy(rows, (row) => bucketStart(row.at, stepMs));
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([at, bucket]) => {
      const m = aggregate(bucket);
      return {
        at,
        samples: m.samples,
        temperatureC: round(m.temperature_c),
        fanPct: round(m.fan_pct),
        powerDrawW: round(m.power_draw_w),
        powerLimitW: round(m.power_limit_w),
        utilizationGpuPct: round(m.utilization_pct),
      };
    });
}

/** A step that gives a chart about 240 points, never finer than the 30 s heartbeats. */
export function autoStepSeconds(fromMs: number, toMs: number): number {
  const seconds = Math.ceil((toMs - fromMs) / 1000 / 240);
  return Math.max(30, Math.ceil(seconds / 30) * 30);
}

const round = (value: number | null): number | null =>
  value === null ? null : Math.round(value * 100) / 100;
