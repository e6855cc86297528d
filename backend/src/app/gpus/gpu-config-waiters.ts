import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventBus, type LiveEvent, type Unsubscribe } from '../../core/events/event-bus.ts';

/** Published after a gpu_config row is saved or deleted; held agent requests re-read on it. */
export const GPU_CONFIG_CHANGED = 'gpu.config';

/** `host` null: the fleet default changed, which concerns every host without a config of its own. */
export function gpuConfigChanged(host: string | null, action: 'updated' | 'deleted'): LiveEvent {
  return { type: GPU_CONFIG_CHANGED, customerId: null, data: { host, action } };
}

/** Why a held request stopped waiting (other than a change to look at). */
export type WaitEnd = 'timeout' | 'superseded' | 'shutdown' | 'gone';

/** One agent request held open until its host's config may have changed. */
export class HeldConfigRequest {
  private dirty = false;
  private endedBy: WaitEnd | undefined;
  private wake: (() => void) | undefined;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly host: string,
    waitMs: number,
    private readonly onEnd: (held: HeldConfigRequest) => void,
  ) {
    this.timer = setTimeout(() => this.end('timeout'), waitMs);
  }

  /** A change that may concern this host: the request looks again at its next `next()`. */
  notify(): void {
    this.dirty = true;
    this.wake?.();
  }

  end(reason: WaitEnd): void {
    if (this.endedBy) return;
    this.endedBy = reason;
    clearTimeout(this.timer);
    this.wake?.();
    this.onEnd(this);
  }

  /**
   * 'changed' when a change was announced since the previous call (announcements between a read
   * and this call are kept, so none is lost), else why the wait is over.
   */
  async next(): Promise<'changed' | WaitEnd> {
    for (;;) {
      if (this.endedBy) return this.endedBy;
      if (this.dirty) {
        this.dirty = false;
        return 'changed';
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }
}

/**
 * The agents' long-polls on this replica, woken by `gpu.config` events from the EventBus (so a
 * change saved on any replica reaches them, over Redis in scale-out). At most one request per
 * host is held: a newer one answers the older (a restarted agent, or a duplicate), so a host can
 * never pile up open requests. At shutdown every held request is answered at once.
 */
@Injectable()
export class GpuConfigWaiters implements OnModuleInit, OnModuleDestroy {
  private readonly held = new Map<string, HeldConfigRequest>();
  private unsubscribe: Unsubscribe | undefined;
  private closed = false;

  constructor(@Inject(EventBus) private readonly bus: EventBus) {}

  get heldCount(): number {
    return this.held.size;
  }

  onModuleInit(): void {
    this.unsubscribe = this.bus.subscribe((event) => {
      if (event.type !== GPU_CONFIG_CHANGED) return;
      const host = event.data['host'];
      if (host === null) for (const request of this.held.values()) request.notify();
      else if (typeof host === 'string') this.held.get(host)?.notify();
    });
  }

  /** Starts holding a request of `host`; subscribe before reading the config so no change slips between. */
  hold(host: string, waitMs: number, signal?: AbortSignal): HeldConfigRequest {
    const request = new HeldConfigRequest(host, waitMs, (ended) => {
      if (this.held.get(ended.host) === ended) this.held.delete(ended.host);
    });
    if (this.closed) {
      request.end('shutdown');
      return request;
    }
    this.held.get(host)?.end('superseded');
    this.held.set(host, request);
    if (signal?.aborted) request.end('gone');
    else signal?.addEventListener('abort', () => request.end('gone'), { once: true });
    return request;
  }

  onModuleDestroy(): void {
    this.closed = true;
    this.unsubscribe?.();
    for (const request of [...this.held.values()]) request.end('shutdown');
  }
}
