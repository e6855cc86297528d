import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { scopeFor } from '../http/access-scope.ts';
import type { Caller } from '../http/caller.ts';
import { EventBus, type LiveEvent } from './event-bus.ts';

/** An idle proxy (nginx: 60 s) would cut a quiet stream; a comment every 15 s keeps it open. */
export const HEARTBEAT_MS = 15_000;
/** A client this far behind is disconnected rather than buffered without bound; it reconnects. */
const MAX_BUFFERED_BYTES = 1_000_000;

interface OpenStream {
  end(): void;
}

/**
 * Server-Sent Events for the console: one stream per browser tab, fed by the event bus.
 * Customer users only get events of their own customer; staff get everything.
 */
@Injectable()
export class EventStreamService implements OnModuleDestroy {
  private readonly open = new Set<OpenStream>();
  heartbeatMs = HEARTBEAT_MS;

  constructor(@Inject(EventBus) private readonly bus: EventBus) {}

  get openCount(): number {
    return this.open.size;
  }

  /** Whether `caller` may see `event`: the tenant rule, then the optional type filter. */
  static visible(caller: Caller, event: LiveEvent, types: string[] | null): boolean {
    const { customerId } = scopeFor(caller);
    if (customerId !== null && event.customerId !== customerId) return false;
    return types === null || types.includes(event.type);
  }

  /** Takes over a response: writes events until the client leaves or the server stops. */
  stream(caller: Caller, types: string[] | null, raw: ServerResponse, requestId: string): void {
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx buffers proxied responses unless told otherwise.
      'x-accel-buffering': 'no',
      'x-request-id': requestId,
    });
    // Tells EventSource how long to wait before reconnecting, and flushes the headers.
    raw.write('retry: 3000\n\n');

    let ended = false;
    const write = (chunk: string) => {
      if (ended) return;
      if (raw.writableLength > MAX_BUFFERED_BYTES) return stream.end();
      raw.write(chunk);
    };
    const unsubscribe = this.bus.subscribe((event) => {
      if (EventStreamService.visible(caller, event, types)) {
        write(`event: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
      }
    });
    const heartbeat = setInterval(
      () => write(`: heartbeat ${new Date().toISOString()}\n\n`),
      this.heartbeatMs,
    );
    const stream: OpenStream = {
      end: () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        unsubscribe();
        this.open.delete(stream);
        if (!raw.writableEnded) raw.end();
      },
    };
    this.open.add(stream);
    raw.on('close', () => stream.end());
    raw.on('error', () => stream.end());
  }

  /** Server shutdown: end every stream so the HTTP server can close (clients reconnect elsewhere). */
  onModuleDestroy(): void {
    for (const stream of [...this.open]) stream.end();
  }
}
