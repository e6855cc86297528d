import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { gpuFleetSchema, gpuReadingEventSchema, type GpuFleet } from '@skyy/contracts';
import { LiveEvents } from '../../core/events/live-events.ts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Icon } from '../../shared/icon.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { FleetHistories } from './fleet-histories.ts';
import { alertClass, decisionLines, fansText, gpuStatusClass, memoryText, powerText } from './gpu-format.ts';
import { Sparkline } from './sparkline.ts';

/**
 * Live events carry each heartbeat; the poll is the fallback that also picks up what events do
 * not (an agent going stale, an alert cleared by the staleness check).
 */
const refreshMs = 60_000;

/** Every GPU the agents report: temperature, fans, power, use, the agent's decisions and a day of history. */
@Component({
  selector: 'app-gpu-fleet',
  imports: [MatButtonModule, RouterLink, Icon, TimeAgoPipe, Sparkline],
  providers: [FleetHistories],
  templateUrl: './gpu-fleet.html',
  styles: `
    .fleet-note {
      margin: 0;
      flex: 1 1 320px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GpuFleetPage {
  private readonly api = inject(Api);
  protected readonly histories = inject(FleetHistories);
  protected readonly fleet = signal<GpuFleet | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly statusClass = gpuStatusClass;
  protected readonly alertClass = alertClass;
  protected readonly fans = fansText;
  protected readonly memory = memoryText;
  protected readonly power = powerText;
  protected readonly decisions = (item: Parameters<typeof decisionLines>[0]) =>
    decisionLines(item).join('; ');

  constructor() {
    void this.load();
    const timer = setInterval(() => void this.load(), refreshMs);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
    const live = inject(LiveEvents);
    live.on('gpu.reading', (data) => this.onReading(data));
    // A raised or cleared alert changes the alerts panel: the fleet answer has them all.
    live.on('gpu.alert', () => void this.load());
  }

  protected async load(): Promise<void> {
    try {
      const fleet = await this.api.get('/gpus', gpuFleetSchema);
      this.fleet.set(fleet);
      this.histories.track(fleet.items);
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  /** One host's heartbeat: its GPUs replace their rows in place, new GPUs join the end. */
  private onReading(data: unknown): void {
    const parsed = gpuReadingEventSchema.safeParse(data);
    const fleet = this.fleet();
    if (!parsed.success || !fleet) return;
    const fresh = new Map(parsed.data.gpus.map((gpu) => [gpu.uuid, gpu]));
    const items = fleet.items.map((item) => fresh.get(item.uuid) ?? item);
    const known = new Set(fleet.items.map((item) => item.uuid));
    items.push(...parsed.data.gpus.filter((gpu) => !known.has(gpu.uuid)));
    this.fleet.set({ ...fleet, items });
    this.histories.track(parsed.data.gpus);
  }
}
