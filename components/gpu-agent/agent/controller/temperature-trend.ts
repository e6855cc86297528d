/**
 * How fast a GPU's temperature is moving, from its last readings, for the band rule's approach
 * pause. NVML reports whole degrees, so two readings alone say little (one step of 1 °C in 5 s
 * reads as 12 °C a minute); a least-squares line through TREND_WINDOW_SEC of readings smooths
 * that, and no trend is given until the readings span half the window.
 */

export const TREND_WINDOW_SEC = 30;
/** Readings kept even when they are older than the window (for slow polls). */
const MIN_POINTS = 3;

interface Point {
  /** Seconds. */
  t: number;
  celsius: number;
}

export class TemperatureTrend {
  private points: Point[] = [];

  add(atMs: number, celsius: number): void {
    const t = atMs / 1000;
    const last = this.points.at(-1);
    // A reading older than the last one (clock step back) starts a new history.
    if (last && t <= last.t) this.points = [];
    this.points.push({ t, celsius });
    const from = t - TREND_WINDOW_SEC;
    while (this.points.length > MIN_POINTS && (this.points[0]?.t ?? t) < from) this.points.shift();
  }

  /** °C per second over the kept readings; undefined until they span half the window. */
  perSecond(): number | undefined {
    const first = this.points[0];
    const last = this.points.at(-1);
    if (!first || !last || last.t - first.t < TREND_WINDOW_SEC / 2) return undefined;
    const n = this.points.length;
    const meanT = this.points.reduce((sum, p) => sum + p.t, 0) / n;
    const meanC = this.points.reduce((sum, p) => sum + p.celsius, 0) / n;
    let covariance = 0;
    let variance = 0;
    for (const p of this.points) {
      covariance += (p.t - meanT) * (p.celsius - meanC);
      variance += (p.t - meanT) ** 2;
    }
    return variance === 0 ? undefined : covariance / variance;
  }

  clear(): void {
    this.points = [];
  }
}
