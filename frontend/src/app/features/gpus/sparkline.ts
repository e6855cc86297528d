import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { GpuHistoryPoint } from '@skyy/contracts';
import { formatValue, linePath, seriesOf, summarize, valueRange, type GpuMetric } from './gpu-series.ts';

const width = 120;
const height = 28;

/**
 * A small inline line of one metric for a table cell. Screen readers get the numbers a sighted
 * user reads off the line (min, max, latest) instead of a picture.
 */
@Component({
  selector: 'app-sparkline',
  template: `
    @if (points() === null) {
      <span class="muted spark-note">loading history…</span>
    } @else if (summary(); as s) {
      <svg
        class="sparkline"
        [attr.viewBox]="'0 0 ' + width + ' ' + height"
        [attr.width]="width"
        [attr.height]="height"
        role="img"
        [attr.aria-label]="ariaLabel()"
        [attr.data-metric]="metric()"
        preserveAspectRatio="none"
      >
        <path [attr.d]="path()" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" />
      </svg>
    } @else {
      <span class="muted spark-note">no history yet</span>
    }
  `,
  styles: `
    :host {
      display: block;
      color: var(--mat-sys-primary);
      line-height: 0;
    }
    .sparkline {
      display: block;
      overflow: visible;
    }
    .spark-note {
      font: var(--mat-sys-body-small);
      line-height: normal;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Sparkline {
  /** null while the history loads. */
  readonly points = input.required<readonly GpuHistoryPoint[] | null>();
  readonly metric = input.required<GpuMetric>();
  /** What the line shows, for its label: "Temperature, last 24 h". */
  readonly label = input.required<string>();
  readonly unit = input.required<string>();
  /** A gap in the readings longer than this breaks the line. */
  readonly gapMs = input(30 * 60_000);

  protected readonly width = width;
  protected readonly height = height;
  private readonly series = computed(() => seriesOf(this.points() ?? [], this.metric()));
  protected readonly summary = computed(() => summarize(this.series()));

  protected readonly path = computed(() => {
    const series = this.series().filter((p) => p.value !== null);
    const first = series[0];
    const last = series.at(-1);
    if (!first || !last) return '';
    const { min, max } = valueRange([series]);
    // Inset by the stroke so peaks are not clipped at the edges.
    // A single reading is the latest: a dot at the right end, where the line would end.
    const from = first.at === last.at ? last.at - 1 : first.at;
    const frame = { top: 2, width: width - 2, height: height - 4, from, to: last.at, min, max };
    return linePath(series, frame, this.gapMs(), 2);
  });

  protected readonly ariaLabel = computed(() => {
    const s = this.summary();
    if (!s) return '';
    const f = (n: number) => formatValue(Math.round(n * 10) / 10, this.unit());
    return `${this.label()}: min ${f(s.min)}, max ${f(s.max)}, latest ${f(s.latest)}`;
  });
}
