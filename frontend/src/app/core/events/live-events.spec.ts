import { TestBed } from '@angular/core/testing';
import { LiveEvents, STREAM_RECONNECTED, type LiveEvent } from './live-events.ts';

/** Stands in for the browser's EventSource: the test fires its events. */
class FakeEventSource extends EventTarget {
  closed = false;
  constructor(readonly url: string) {
    super();
  }
  close(): void {
    this.closed = true;
  }
  emit(type: string, data?: string): void {
    this.dispatchEvent(data === undefined ? new Event(type) : new MessageEvent(type, { data }));
  }
}

describe('LiveEvents', () => {
  let sources: FakeEventSource[];
  let live: LiveEvents;

  beforeEach(() => {
    sources = [];
    live = TestBed.inject(LiveEvents);
    live.useFactory((url) => {
      const source = new FakeEventSource(url);
      sources.push(source);
      return source as unknown as EventSource;
    });
  });

  it('opens one stream for all subscribers, passes parsed events on, and closes with the last one', () => {
    const seen: LiveEvent[] = [];
    const first = live.events$.subscribe((event) => seen.push(event));
    const second = live.events$.subscribe(() => undefined);
    expect(sources).toHaveLength(1);
    expect(sources[0]?.url).toBe('/api/v1/events');

    sources[0]?.emit('job.status', '{"id":"j1","status":"running"}');
    sources[0]?.emit('job.status', 'not json');
    expect(seen).toEqual([{ type: 'job.status', data: { id: 'j1', status: 'running' } }]);

    first.unsubscribe();
    expect(sources[0]?.closed).toBe(false);
    second.unsubscribe();
    expect(sources[0]?.closed).toBe(true);
  });

  it('says when the stream is back after a drop, so pages read again what they missed', () => {
    const seen: string[] = [];
    const subscription = live.events$.subscribe((event) => seen.push(event.type));
    const source = sources[0];
    source?.emit('open'); // the first connection is not a reconnect
    expect(seen).toEqual([]);

    source?.emit('error');
    source?.emit('error'); // the browser may fail a few times before it gets through
    source?.emit('open');
    expect(seen).toEqual([STREAM_RECONNECTED]);
    source?.emit('open');
    expect(seen).toEqual([STREAM_RECONNECTED]);
    subscription.unsubscribe();
  });
});
