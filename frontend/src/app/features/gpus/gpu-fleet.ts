import { ChangeDetectionStrategy, Component, DestroyRef, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { gpuFleetSchema, type GpuFleet, type GpuFleetItem } from '@skyy/contracts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Icon } from '../../shared/icon.ts';
import { TimeAgoPipe } from '../../shared/time.ts';

const refreshMs = 30_000;

/** How a GPU's control status reads in the table, and its colour. */
export function gpuStatusClass(
  item: Pick<GpuFleetItem, 'status' | 'missing'>,
): 'ok' | 'warn' | 'bad' | 'idle' {
  if (item.missing) return 'bad';
  switch (item.status) {
    case 'ok':
      return 'ok';
    case 'warning':
      return 'warn';
    case 'failsafe':
    case 'shutdown':
      return 'bad';
    default:
      return 'idle';
  }
}

/** Every GPU the agents report: temperature, fans, power, use, and the agent's decisions. */
@Component({
  selector: 'app-gpu-fleet',
  imports: [MatButtonModule, Icon, TimeAgoPipe],
  templateUrl: './gpu-fleet.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GpuFleetPage {
  private readonly api = inject(Api);
  protected readonly fleet = signal<GpuFleet | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly statusClass = gpuStatusClass;

  constructor() {
    void this.load();
    // Agents report every 30 s; follow them while the page is open.
    const timer = setInterval(() => void this.load(), refreshMs);
    inject(DestroyRef).onDestroy(() => clearInterval(timer));
  }

  protected async load(): Promise<void> {
    try {
      this.fleet.set(await this.api.get('/gpus', gpuFleetSchema));
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  protected fans(item: GpuFleetItem): string {
    const speeds = item.fans.map((fan) => fan.speedPct).filter((pct): pct is number => pct !== undefined);
    return speeds.length ? speeds.map((pct) => `${Math.round(pct)} %`).join(', ') : '—';
  }

  protected memory(item: GpuFleetItem): string {
    if (item.memoryUsedBytes === null || item.memoryTotalBytes === null) return '—';
    const gib = (n: number) => (n / 1024 ** 3).toFixed(1);
    return `${gib(item.memoryUsedBytes)} / ${gib(item.memoryTotalBytes)} GiB`;
  }

  protected power(item: GpuFleetItem): string {
    if (item.powerDrawW === null) return '—';
    return `${Math.round(item.powerDrawW)} W${item.powerLimitW === null ? '' : ` of ${Math.round(item.powerLimitW)} W`}`;
  }

  protected decisions(item: GpuFleetItem): string {
    return [
      ...item.fanDecisions.map((d) => `fan ${d.fan}: ${d.reason}`),
      ...(item.powerDecision ? [`power: ${item.powerDecision.reason}`] : []),
      ...item.notes,
    ].join('; ');
  }
}
