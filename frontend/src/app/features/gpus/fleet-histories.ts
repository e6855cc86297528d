import { inject, Injectable, signal } from '@angular/core';
import { gpuHistorySchema, type GpuFleetItem, type GpuHistoryPoint } from '@skyy/contracts';
import { Api } from '../../core/http/api.ts';
import { appendPoint, livePoint } from './gpu-series.ts';

/** The sparklines show the last day, in 10-minute points (144 per GPU, light on a big fleet). */
export const sparklineWindowMs = 24 * 3600_000;
const sparklineStepSeconds = 600;
/** One history request per GPU: a fleet of 80 GPUs should not open 80 requests at once. */
const parallelLoads = 4;

/**
 * The 24-hour history behind each GPU row's sparklines: loaded once per GPU, then extended
 * with every reading the page receives (live event or poll) instead of being fetched again.
 */
@Injectable()
export class FleetHistories {
  private readonly api = inject(Api);
  /** null while loading; a GPU absent from the map has not been asked for yet. */
  private readonly byUuid = signal<ReadonlyMap<string, readonly GpuHistoryPoint[] | null>>(new Map());
  private readonly waiting: string[] = [];
  private running = 0;

  points(uuid: string): readonly GpuHistoryPoint[] | null {
    return this.byUuid().get(uuid) ?? null;
  }

  /** Call with every fleet answer and live reading: new GPUs load, known ones get the new point. */
  track(items: readonly GpuFleetItem[]): void {
    const next = new Map(this.byUuid());
    for (const item of items) {
      if (!next.has(item.uuid)) {
        next.set(item.uuid, null);
        this.waiting.push(item.uuid);
        continue;
      }
      const points = next.get(item.uuid);
      if (points) next.set(item.uuid, appendPoint(points, livePoint(item), sparklineWindowMs));
    }
    this.byUuid.set(next);
    this.pump();
  }

  private pump(): void {
    while (this.running < parallelLoads && this.waiting.length) {
      const uuid = this.waiting.shift() as string;
      this.running++;
      void this.load(uuid).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async load(uuid: string): Promise<void> {
    const to = new Date();
    try {
      const history = await this.api.get(`/gpus/${encodeURIComponent(uuid)}/history`, gpuHistorySchema, {
        from: new Date(to.getTime() - sparklineWindowMs).toISOString(),
        to: to.toISOString(),
        step: sparklineStepSeconds,
      });
      this.set(uuid, history.points);
    } catch {
      // Asked again with the next poll; the row says "loading history…" until then.
      this.forget(uuid);
    }
  }

  private set(uuid: string, points: readonly GpuHistoryPoint[]): void {
    const next = new Map(this.byUuid());
    next.set(uuid, points);
    this.byUuid.set(next);
  }

  private forget(uuid: string): void {
    const next = new Map(this.byUuid());
    next.delete(uuid);
    this.byUuid.set(next);
  }
}
