import type { GpuFleetItem, GpuHistoryPoint } from '@skyy/contracts';

/**
 * Readings history as chart series, kept pure so the drawing rules are tested without a DOM:
 * which metric, the live point a heartbeat adds, min/max/latest for screen readers, and the
 * SVG path (broken where readings are missing, so a silent agent shows as a gap, not a ramp).
 */

export type GpuMetric = 'temperatureC' | 'fanPct' | 'powerDrawW' | 'powerLimitW' | 'utilizationGpuPct';

export interface SeriesPoint {
  /** Epoch milliseconds. */
  at: number;
  value: number | null;
}

export interface SeriesSummary {
  min: number;
  max: number;
  latest: number;
}

export function seriesOf(points: readonly GpuHistoryPoint[], metric: GpuMetric): SeriesPoint[] {
  return points.map((point) => ({ at: Date.parse(point.at), value: point[metric] }));
}

/** The history point of a live reading (what the server will store for this heartbeat). */
export function livePoint(item: GpuFleetItem): GpuHistoryPoint | null {
  if (!item.sampledAt) return null;
  const speeds = item.fans.flatMap((fan) => (fan.speedPct === undefined ? [] : [fan.speedPct]));
  return {
    at: item.sampledAt,
    samples: 1,
    temperatureC: item.temperatureC,
    fanPct: speeds.length ? speeds.reduce((a, b) => a + b, 0) / speeds.length : null,
    powerDrawW: item.powerDrawW,
    powerLimitW: item.powerLimitW,
    utilizationGpuPct: item.utilizationGpuPct,
  };
}

/**
 * Adds a live point after the history, once (the same heartbeat arrives by SSE and by the next
 * poll), and drops what fell out of the window so a page left open does not grow without end.
 */
export function appendPoint(
  points: readonly GpuHistoryPoint[],
  point: GpuHistoryPoint | null,
  windowMs: number,
): readonly GpuHistoryPoint[] {
  if (!point) return points;
  const at = Date.parse(point.at);
  const last = points.at(-1);
  if (last && Date.parse(last.at) >= at) return points;
  const from = at - windowMs;
  return [...points.filter((p) => Date.parse(p.at) >= from), point];
}

export function summarize(series: readonly SeriesPoint[]): SeriesSummary | null {
  const values = series.flatMap((p) => (p.value === null ? [] : [p.value]));
  const latest = values.at(-1);
  if (latest === undefined) return null;
  return { min: Math.min(...values), max: Math.max(...values), latest };
}

export interface Frame {
  /** Where the plot area starts inside the SVG (room for axis labels, stroke width). */
  left?: number;
  top?: number;
  width: number;
  height: number;
  /** Time shown from left to right, epoch ms. */
  from: number;
  to: number;
  /** Values shown from bottom to top. */
  min: number;
  max: number;
}

/** A y range with a little room, never flat (a constant 60 °C draws mid-height, not on the edge). */
export function valueRange(
  series: readonly (readonly SeriesPoint[])[],
  fixed?: { min?: number; max?: number },
): { min: number; max: number } {
  const values = series.flatMap((s) => s.flatMap((p) => (p.value === null ? [] : [p.value])));
  let min = fixed?.min ?? (values.length ? Math.min(...values) : 0);
  let max = fixed?.max ?? (values.length ? Math.max(...values) : 1);
  if (fixed?.max !== undefined && values.length) max = Math.max(max, ...values);
  if (max - min < 1) {
    min = fixed?.min ?? min - 1;
    max = max + 1;
  }
  return { min, max };
}

/**
 * "M x y L x y …" for the points in the frame; a missing value or a gap longer than
 * `maxGapMs` starts a new segment. A lone point becomes a short dash so it stays visible.
 */
export function linePath(
  series: readonly SeriesPoint[],
  frame: Frame,
  maxGapMs: number,
  /** Half the length of the dash that stands for a lone point. */
  dot = 1.5,
): string {
  const span = Math.max(frame.to - frame.from, 1);
  const range = Math.max(frame.max - frame.min, Number.EPSILON);
  const left = frame.left ?? 0;
  const top = frame.top ?? 0;
  const x = (at: number) => left + ((at - frame.from) / span) * frame.width;
  const y = (value: number) => top + frame.height - ((value - frame.min) / range) * frame.height;
  const segments: string[][] = [];
  let current: string[] = [];
  let previousAt: number | null = null;
  for (const point of series) {
    if (point.value === null || (previousAt !== null && point.at - previousAt > maxGapMs)) {
      if (current.length) segments.push(current);
      current = [];
    }
    if (point.value !== null) current.push(`${round(x(point.at))} ${round(y(point.value))}`);
    previousAt = point.value === null ? null : point.at;
  }
  if (current.length) segments.push(current);
  return segments
    .map((segment) => {
      const [first, ...rest] = segment as [string, ...string[]];
      if (!rest.length) {
        const [px, py] = first.split(' ').map(Number) as [number, number];
        return `M ${round(Math.max(px - dot, left))} ${py} L ${round(px + dot)} ${py}`;
      }
      return `M ${first} ${rest.map((p) => `L ${p}`).join(' ')}`;
    })
    .join(' ');
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** 58, 57.5, 320 — at most one decimal, as the readings themselves. */
export function formatValue(value: number, unit: string): string {
  const text = Number.isInteger(value) ? String(value) : value.toFixed(1);
  return `${text} ${unit}`;
}
