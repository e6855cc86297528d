import { EventEmitter } from 'node:events';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { z } from 'zod';
import { EventBus, type LiveEvent, type Unsubscribe } from './event-bus.ts';

const wireEventSchema = z.object({
  type: z.string().min(1),
  customerId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

export interface RedisEventBusOptions {
  /** Pub/sub channel; replicas of one installation share it (tests use a unique one each). */
  channel?: string;
  logger?: Logger;
}

/**
 * Live events across replicas over Redis pub/sub. Publishing goes through Redis even for local
 * listeners, so every replica (this one included) sees each event exactly once. A subscribed
 * connection cannot run other commands, hence the second connection.
 */
export class RedisEventBus extends EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;
  private readonly subscribed: Promise<void>;
  private lastErrorLog = 0;

  constructor(
    url: string,
    private readonly options: RedisEventBusOptions = {},
  ) {
    super();
    this.channel = options.channel ?? 'skyy:events';
    // Events are best effort: while Redis is unreachable, publishing fails at once instead of queueing.
    this.publisher = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
    this.subscriber = new Redis(url, { maxRetriesPerRequest: null });
    for (const connection of [this.publisher, this.subscriber]) {
      connection.on('error', (error: Error) => this.logError(error));
    }
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel === this.channel) this.deliver(message);
    });
    // ioredis re-subscribes by itself after a reconnect.
    this.subscribed = this.subscriber.subscribe(this.channel).then(() => undefined);
    this.subscribed.catch(() => undefined);
  }

  /**
   * Resolves once events published anywhere reach this replica; rejects when Redis cannot be
   * reached within `timeoutMs` (the bus keeps retrying in the background).
   */
  async ready(timeoutMs = 5_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    let onError: ((error: Error) => void) | undefined;
    try {
      const publisherReady = new Promise<void>((resolve) => {
        if (this.publisher.status === 'ready') resolve();
        else this.publisher.once('ready', () => resolve());
      });
      await Promise.race([
        Promise.all([this.subscribed, publisherReady]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`Redis pub/sub not ready after ${timeoutMs} ms`)),
            timeoutMs,
          );
          onError = (error: Error) => reject(error);
          this.subscriber.once('error', onError);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      if (onError) this.subscriber.off('error', onError);
    }
  }

  async publish(event: LiveEvent): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(event));
  }

  subscribe(listener: (event: LiveEvent) => void): Unsubscribe {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
    // disconnect, not quit: quit waits for a server that may be unreachable.
    this.subscriber.disconnect();
    this.publisher.disconnect();
  }

  private deliver(message: string): void {
    let event: LiveEvent;
    try {
      event = wireEventSchema.parse(JSON.parse(message));
    } catch {
      this.options.logger?.warn({ channel: this.channel }, 'ignored a malformed live event from Redis');
      return;
    }
    for (const listener of this.emitter.listeners('event') as ((e: LiveEvent) => void)[]) {
      try {
        listener(event);
      } catch (error) {
        this.options.logger?.warn({ err: error }, 'a live event listener failed');
      }
    }
  }

  /** Redis being down is logged once a minute, not on every reconnect attempt. */
  private logError(error: Error): void {
    const at = Date.now();
    if (at - this.lastErrorLog < 60_000) return;
    this.lastErrorLog = at;
    this.options.logger?.warn(
      { err: error.message, channel: this.channel },
      'Redis event bus connection error',
    );
  }
}
