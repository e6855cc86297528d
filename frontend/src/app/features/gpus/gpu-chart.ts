import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import type { GpuHistoryPoint } from '@skyy/contracts';
import {
  formatValue,
  linePath,
  seriesOf,
  summarize,
  valueRange,
  type GpuMetric,
  type SeriesSummary,
} from './gpu-series.ts';
import { axisTime } from './history-range.ts';

export interface ChartLine {
  label: string;
  metric: GpuMetric;
  /** A limit or target drawn dashed beside the measured line. */
  dashed?: boolean;
}

const size = { width: 640, height: 180 };
const plot = { left: 48, top: 8, width: 580, height: 146 };

/** One metric (or a metric and its limit) over the chosen range, as a line chart with axes. */
@Component({
  selector: 'app-gpu-chart',
  template: `
    <figure class="chart">
      <figcaption>
        <strong>{{ title() }}</strong>
        @for (line of drawn(); track line.label) {
          <span class="legend" [class.dashed]="line.dashed">
            <span class="swatch" aria-hidden="true"></span>
            {{ line.label }}
            @if (line.summary; as s) {
              <span class="muted">latest {{ format(s.latest) }}</span>
            }
          </span>
        }
      </figcaption>
      @if (hasData()) {
        <svg
          [attr.viewBox]="'0 0 ' + size.width + ' ' + size.height"
          role="img"
          [attr.aria-label]="ariaLabel()"
        >
          @for (tick of yTicks(); track tick.y) {
            <line
              class="grid"
              [attr.x1]="plot.left"
              [attr.x2]="plot.left + plot.width"
              [attr.y1]="tick.y"
              [attr.y2]="tick.y"
            />
            <text class="axis" [attr.x]="plot.left - 6" [attr.y]="tick.y + 4" text-anchor="end">
              {{ tick.label }}
            </text>
          }
          @for (tick of xTicks(); track tick.x) {
            <text class="axis" [attr.x]="tick.x" [attr.y]="size.height - 4" [attr.text-anchor]="tick.anchor">
              {{ tick.label }}
            </text>
          }
          @for (line of drawn(); track line.label) {
            <path class="line" [class.dashed]="line.dashed" [attr.d]="line.path" fill="none" />
          }
        </svg>
      } @else {
        <p class="muted no-data">No readings in this range.</p>
      }
    </figure>
  `,
  styles: `
    .chart {
      margin: 0;
      color: var(--mat-sys-primary);
    }
    figcaption {
      display: flex;
      flex-wrap: wrap;
      gap: 4px 16px;
      align-items: baseline;
      color: var(--mat-sys-on-surface);
      margin-bottom: 4px;
    }
    .legend {
      display: inline-flex;
      align-items: center;
      gap: 6px;
    }
    .swatch {
      width: 16px;
      border-top: 2px solid var(--mat-sys-primary);
    }
    .dashed .swatch {
      border-top: 2px dashed var(--mat-sys-tertiary);
    }
    svg {
      display: block;
      width: 100%;
      height: auto;
    }
    .grid {
      stroke: var(--mat-sys-outline-variant);
      stroke-width: 1;
    }
    .axis {
      fill: var(--mat-sys-on-surface-variant);
      font-size: 11px;
    }
    .line {
      stroke: var(--mat-sys-primary);
      stroke-width: 2;
      stroke-linecap: round;
      stroke-linejoin: round;
    }
    .line.dashed {
      stroke: var(--mat-sys-tertiary);
      stroke-dasharray: 6 4;
    }
    .no-data {
      padding: 24px 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GpuChart {
  readonly title = input.required<string>();
  readonly unit = input.required<string>();
  readonly lines = input.required<readonly ChartLine[]>();
  readonly points = input.required<readonly GpuHistoryPoint[]>();
  /** The range shown, epoch ms: the axis spans it even where readings start later. */
  readonly from = input.required<number>();
  readonly to = input.required<number>();
  readonly stepSeconds = input.required<number>();
  /** Fixed ends of the value axis (0–100 for percentages); otherwise it fits the data. */
  readonly min = input<number | undefined>(undefined);
  readonly max = input<number | undefined>(undefined);

  protected readonly size = size;
  protected readonly plot = plot;

  private readonly series = computed(() =>
    this.lines().map((line) => ({ line, series: seriesOf(this.points(), line.metric) })),
  );
  private readonly range = computed(() =>
    valueRange(
      this.series().map((s) => s.series),
      { min: this.min(), max: this.max() },
    ),
  );
  protected readonly hasData = computed(() => this.series().some((s) => summarize(s.series) !== null));

  protected readonly drawn = computed(() => {
    const { min, max } = this.range();
    const frame = { ...plot, from: this.from(), to: this.to(), min, max };
    // Two missed points in a row (an agent down, a host rebooting) show as a gap.
    const gapMs = Math.max(this.stepSeconds() * 1000 * 2.5, 90_000);
    return this.series().map(({ line, series }) => ({
      label: line.label,
      dashed: line.dashed ?? false,
      summary: summarize(series),
      path: linePath(series, frame, gapMs, 3),
    }));
  });

  protected readonly yTicks = computed(() => {
    const { min, max } = this.range();
    return [max, (min + max) / 2, min].map((value) => ({
      y: plot.top + plot.height - ((value - min) / (max - min)) * plot.height,
      label: this.format(Math.round(value * 10) / 10),
    }));
  });

  protected readonly xTicks = computed(() => {
    const from = this.from();
    const to = this.to();
    const span = to - from;
    return [
      { at: from, x: plot.left, anchor: 'start' },
      { at: from + span / 2, x: plot.left + plot.width / 2, anchor: 'middle' },
      { at: to, x: plot.left + plot.width, anchor: 'end' },
    ].map((tick) => ({ ...tick, label: axisTime(tick.at, span) }));
  });

  protected readonly ariaLabel = computed(() => {
    const parts = this.drawn()
      .filter((line): line is typeof line & { summary: SeriesSummary } => line.summary !== null)
      .map(
        ({ label, summary: s }) =>
          `${label}: min ${this.format(s.min)}, max ${this.format(s.max)}, latest ${this.format(s.latest)}`,
      );
    return `${this.title()}. ${parts.join('; ')}`;
  });

  protected format(value: number): string {
    return formatValue(Math.round(value * 10) / 10, this.unit());
  }
}
