import { DestroyRef, inject, Injectable } from '@angular/core';
import { Observable, share } from 'rxjs';

/** The event types the console listens to on GET /api/v1/events (SSE `event:` lines). */
export const liveEventTypes = [
  'job.status',
  'job.progress',
  'job.log',
  'job.step',
  'inventory.changed',
  'gpu.reading',
  'gpu.alert',
] as const;
/**
 * Not sent by the server: the console's own signal that the stream came back after a drop.
 * Events sent meanwhile are lost (the server keeps no backlog), so whatever a page shows from
 * live events should be read again.
 */
export const STREAM_RECONNECTED = 'stream.reconnected';
export type LiveEventType = (typeof liveEventTypes)[number] | typeof STREAM_RECONNECTED;

export interface LiveEvent {
  type: LiveEventType;
  data: unknown;
}

/** Lets tests replace the browser's EventSource. */
export type EventSourceFactory = (url: string) => EventSource;

/**
 * One server-sent-events connection for the whole console, opened while someone subscribes
 * and closed when the last one leaves. The session cookie goes along (same origin); the
 * browser reconnects by itself after a network blip.
 */
@Injectable({ providedIn: 'root' })
export class LiveEvents {
  private factory: EventSourceFactory = (url) => new EventSource(url);

  readonly events$: Observable<LiveEvent> = new Observable<LiveEvent>((subscriber) => {
    const source = this.factory('/api/v1/events');
    const listeners = liveEventTypes.map((type) => {
      const listener = (event: MessageEvent<string>) => {
        let data: unknown;
        try {
          data = JSON.parse(event.data);
        } catch {
          return;
        }
        subscriber.next({ type, data });
      };
      source.addEventListener(type, listener);
      return [type, listener] as const;
    });
    // The browser reconnects by itself after an error; the open that follows is a reconnect.
    let dropped = false;
    const onError = () => {
      dropped = true;
    };
    const onOpen = () => {
      if (!dropped) return;
      dropped = false;
      subscriber.next({ type: STREAM_RECONNECTED, data: null });
    };
    source.addEventListener('error', onError);
    source.addEventListener('open', onOpen);
    return () => {
      for (const [type, listener] of listeners) source.removeEventListener(type, listener);
      source.removeEventListener('error', onError);
      source.removeEventListener('open', onOpen);
      source.close();
    };
  }).pipe(share());

  useFactory(factory: EventSourceFactory): void {
    this.factory = factory;
  }

  /** Subscribes until the component (or service) that asks is destroyed. */
  on(type: LiveEventType, handler: (data: unknown) => void, destroyRef = inject(DestroyRef)): void {
    const subscription = this.events$.subscribe((event) => {
      if (event.type === type) handler(event.data);
    });
    destroyRef.onDestroy(() => subscription.unsubscribe());
  }
}
