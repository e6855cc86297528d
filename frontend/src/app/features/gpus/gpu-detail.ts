import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatButtonToggleModule } from '@angular/material/button-toggle';
import { Router, RouterLink } from '@angular/router';
import {
  gpuFleetSchema,
  gpuHistorySchema,
  gpuReadingEventSchema,
  type GpuAlert,
  type GpuFleetItem,
  type GpuHistory,
} from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents } from '../../core/events/live-events.ts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { Icon } from '../../shared/icon.ts';
import { DateTimePipe, TimeAgoPipe } from '../../shared/time.ts';
import { GpuChart, type ChartLine } from './gpu-chart.ts';
import { alertClass, decisionLines, fansText, gpuStatusClass, memoryText, powerText } from './gpu-format.ts';
import { appendPoint, livePoint } from './gpu-series.ts';
import { historyQuery, historyRange, historyRanges, type HistoryRangeKey } from './history-range.ts';

/** One GPU: its latest reading, charts over a chosen range, the agent's decisions and alerts. */
interface HistoryChart {
  title: string;
  unit: string;
  lines: readonly ChartLine[];
  min?: number;
  max?: number;
}

@Component({
  selector: 'app-gpu-detail',
  imports: [RouterLink, MatButtonModule, MatButtonToggleModule, Icon, DateTimePipe, TimeAgoPipe, GpuChart],
  templateUrl: './gpu-detail.html',
  styles: `
    .charts {
      display: grid;
      grid-template-columns: repeat(auto-fit, minmax(min(100%, 420px), 1fr));
      gap: 16px;
    }
    .range {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px;
      margin-bottom: 12px;
    }
    .decisions {
      margin: 0;
      padding-left: 20px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GpuDetailPage {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly confirm = inject(Confirm);
  protected readonly session = inject(SessionState);

  readonly uuid = input.required<string>();
  /** `?range=` (1h, 24h, 7d, 30d), so a chart can be linked to. */
  readonly range = input<string | undefined>(undefined);

  protected readonly ranges = historyRanges;
  protected readonly selected = computed(() => historyRange(this.range()));
  protected readonly gpu = signal<GpuFleetItem | null>(null);
  /** Agent-level alerts of the GPU's host (the agent went silent) matter for this GPU too. */
  protected readonly hostAlerts = signal<GpuAlert[]>([]);
  protected readonly history = signal<GpuHistory | null>(null);
  protected readonly notFound = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly historyError = signal<string | null>(null);
  protected readonly busy = signal(false);

  protected readonly statusClass = gpuStatusClass;
  protected readonly alertClass = alertClass;
  protected readonly fans = fansText;
  protected readonly memory = memoryText;
  protected readonly power = powerText;
  protected readonly decisions = computed(() => {
    const gpu = this.gpu();
    return gpu ? decisionLines(gpu) : [];
  });
  protected readonly alerts = computed(() => [...(this.gpu()?.alerts ?? []), ...this.hostAlerts()]);
  protected readonly window = computed(() => {
    const history = this.history();
    return history
      ? { from: Date.parse(history.from), to: Date.parse(history.to), step: history.stepSeconds }
      : null;
  });

  /** The four history charts; percentages on a fixed 0–100 scale, watts from 0. */
  protected readonly charts: readonly HistoryChart[] = [
    { title: 'Temperature', unit: '°C', lines: [{ label: 'GPU', metric: 'temperatureC' }] },
    {
      title: 'Fan speed',
      unit: '%',
      lines: [{ label: 'Mean fan speed', metric: 'fanPct' }],
      min: 0,
      max: 100,
    },
    {
      title: 'Power',
      unit: 'W',
      lines: [
        { label: 'Draw', metric: 'powerDrawW' },
        { label: 'Limit', metric: 'powerLimitW', dashed: true },
      ],
      min: 0,
    },
    {
      title: 'Utilization',
      unit: '%',
      lines: [{ label: 'GPU', metric: 'utilizationGpuPct' }],
      min: 0,
      max: 100,
    },
  ];

  constructor() {
    effect(() => {
      const uuid = this.uuid();
      untracked(() => void this.loadGpu(uuid));
    });
    effect(() => {
      const uuid = this.uuid();
      const range = this.selected();
      untracked(() => void this.loadHistory(uuid, range.key));
    });
    inject(LiveEvents).on('gpu.reading', (data) => this.onReading(data));
  }

  private async loadGpu(uuid: string): Promise<void> {
    try {
      const fleet = await this.api.get('/gpus', gpuFleetSchema);
      const gpu = fleet.items.find((item) => item.uuid === uuid) ?? null;
      this.gpu.set(gpu);
      this.notFound.set(gpu === null);
      this.hostAlerts.set(
        fleet.alerts.filter((a) => gpu !== null && a.host === gpu.host && a.gpuUuid === null),
      );
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  private async loadHistory(uuid: string, key: HistoryRangeKey): Promise<void> {
    try {
      const history = await this.api.get(
        `/gpus/${encodeURIComponent(uuid)}/history`,
        gpuHistorySchema,
        historyQuery(historyRange(key), Date.now()),
      );
      // A slower answer for a range no longer chosen must not replace the chosen one.
      if (key !== this.selected().key || uuid !== this.uuid()) return;
      this.history.set(history);
      this.historyError.set(null);
    } catch (error) {
      this.historyError.set(errorMessage(error));
    }
  }

  /** The GPU's host reported: show the new reading, and extend a chart that ends now. */
  private onReading(data: unknown): void {
    const parsed = gpuReadingEventSchema.safeParse(data);
    if (!parsed.success) return;
    const fresh = parsed.data.gpus.find((gpu) => gpu.uuid === this.uuid());
    if (!fresh) return;
    this.gpu.set(fresh);
    const history = this.history();
    const point = livePoint(fresh);
    // Only the two short ranges: a point every 30 s would be noise on a chart of 3-hour steps.
    if (!history || !point || this.selected().spanMs > 24 * 3600_000) return;
    const span = Date.parse(history.to) - Date.parse(history.from);
    const points = appendPoint(history.points, point, span);
    if (points === history.points) return;
    const to = Date.parse(point.at);
    this.history.set({
      ...history,
      points: [...points],
      from: new Date(to - span).toISOString(),
      to: new Date(Math.max(to, Date.parse(history.to))).toISOString(),
    });
  }

  protected chooseRange(key: string): void {
    void this.router.navigate([], {
      queryParams: { range: key === '24h' ? null : key },
      queryParamsHandling: 'merge',
      replaceUrl: true,
    });
  }

  protected async forget(gpu: GpuFleetItem): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Forget GPU #${gpu.index} of ${gpu.host}?`,
      message:
        'Its history and alerts are deleted. Do this for a GPU taken out of its host: one its agent still reports comes back at the next heartbeat.',
      confirmLabel: 'Forget GPU',
      destructive: true,
    });
    if (!yes) return;
    this.busy.set(true);
    try {
      await this.api.send('DELETE', `/gpus/${encodeURIComponent(gpu.uuid)}`);
      await this.router.navigateByUrl('/gpus');
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
