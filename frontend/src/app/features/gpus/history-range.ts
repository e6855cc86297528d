/**
 * The spans the GPU page charts. Steps are multiples of the 5-minute buckets that readings
 * older than a day are stored in (1 h is finer: its readings are still the raw 30 s ones),
 * and give each chart 120–288 points.
 */
export const historyRanges = [
  { key: '1h', label: '1 hour', spanMs: 3600_000, stepSeconds: 30 },
  { key: '24h', label: '24 hours', spanMs: 24 * 3600_000, stepSeconds: 300 },
  { key: '7d', label: '7 days', spanMs: 7 * 24 * 3600_000, stepSeconds: 3600 },
  { key: '30d', label: '30 days', spanMs: 30 * 24 * 3600_000, stepSeconds: 3 * 3600 },
] as const;

export type HistoryRange = (typeof historyRanges)[number];
export type HistoryRangeKey = HistoryRange['key'];

export function historyRange(key: string | null | undefined): HistoryRange {
  return historyRanges.find((range) => range.key === key) ?? historyRanges[1];
}

/** The history query of a range ending now. */
export function historyQuery(range: HistoryRange, now: number): { from: string; to: string; step: number } {
  return {
    from: new Date(now - range.spanMs).toISOString(),
    to: new Date(now).toISOString(),
    step: range.stepSeconds,
  };
}

const timeOfDay = new Intl.DateTimeFormat('en', { hour: '2-digit', minute: '2-digit', hour12: false });
const dayAndMonth = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'short' });

/** An axis label: times of day within two days, dates beyond. */
export function axisTime(at: number, spanMs: number): string {
  return spanMs <= 2 * 24 * 3600_000 ? timeOfDay.format(at) : dayAndMonth.format(at);
}
