/**
 * Control-quality figures over a time series, for the GPU agent benchmark (issue #6 item 10).
 * Pure functions over `{ t, value }` points (t in seconds, ascending) so that they can be checked
 * on hand-made series; the benchmark feeds them the simulated temperatures and actuator targets.
 */

export interface Point {
  /** Seconds since the start of the run. */
  t: number;
  value: number;
}

export const METRIC_DEFINITIONS = [
  'overshoot   = max(0, peak temperature after the step − band top), band top = fan_control.max_temp',
  'settling    = seconds from the step until the temperature stays at or below band top + 3 °C for the rest',
  '              of the run (0 when it never goes above; "never" when it is still above at the end)',
  "changes/min = changes of a commanded value (one fan's target, the busiest fan; the power limit) per minute",
  '              over the steady-state window: the last minutes of the run, after settling',
];

/** Highest value at or after `from`; undefined when no point is. */
export function peak(series: readonly Point[], from = -Infinity): number | undefined {
  let highest: number | undefined;
  for (const point of series) if (point.t >= from) highest = Math.max(highest ?? -Infinity, point.value);
  return highest;
}

/** How far the series rises above `limit` at or after `from` (0 when it never does). */
export function overshoot(series: readonly Point[], limit: number, from = -Infinity): number {
  return Math.max(0, (peak(series, from) ?? limit) - limit);
}

/**
 * Seconds from `stepAt` until the series stays at or below `limit` for good: the time of the first
 * point after the last one above `limit`. 0 when no point after the step is above; undefined when
 * the last point is still above (it never settled within the run).
 */
export function settlingTime(series: readonly Point[], stepAt: number, limit: number): number | undefined {
  const after = series.filter((point) => point.t >= stepAt);
  let lastAbove = -1;
  after.forEach((point, i) => {
    if (point.value > limit) lastAbove = i;
  });
  if (lastAbove === -1) return 0;
  const settledAt = after[lastAbove + 1];
  return settledAt === undefined ? undefined : settledAt.t - stepAt;
}

/**
 * Changes of the value per minute within [from, to]: a point counts when its value differs from the
 * point before it (which may lie before `from`, so a change right at `from` is not lost).
 */
export function changesPerMinute(series: readonly Point[], from: number, to: number): number {
  if (to <= from) throw new Error(`changesPerMinute: empty window ${from}..${to} s`);
  let changes = 0;
  series.forEach((point, i) => {
    const before = series[i - 1];
    if (before && point.t >= from && point.t <= to && point.value !== before.value) changes++;
  });
  return changes / ((to - from) / 60);
}

/** Lowest and highest value within [from, to]. */
export function range(series: readonly Point[], from: number, to: number): { min: number; max: number } {
  const values = series.filter((point) => point.t >= from && point.t <= to).map((point) => point.value);
  if (values.length === 0) throw new Error(`range: no points in ${from}..${to} s`);
  return { min: Math.min(...values), max: Math.max(...values) };
}
