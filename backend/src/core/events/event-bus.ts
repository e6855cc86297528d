import { EventEmitter } from 'node:events';

/**
 * A live event for the console (SSE). `customerId` scopes it: customer users only receive
 * events of their own customer; null means staff only.
 */
export interface LiveEvent {
  type: string;
  customerId: string | null;
  data: Record<string, unknown>;
}

export type Unsubscribe = () => void;

/**
 * Publish/subscribe across the process (embedded) or across replicas (Redis pub/sub).
 * Delivery is best effort: a client that misses an event reloads the page's data.
 */
export abstract class EventBus {
  abstract publish(event: LiveEvent): Promise<void>;
  abstract subscribe(listener: (event: LiveEvent) => void): Unsubscribe;
  abstract close(): Promise<void>;
}

export class LocalEventBus extends EventBus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(event: LiveEvent): Promise<void> {
    this.emitter.emit('event', event);
  }

  subscribe(listener: (event: LiveEvent) => void): Unsubscribe {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    this.emitter.removeAllListeners();
  }
}

/** Inventory changes, published by services after their transaction commits. */
export function inventoryChanged(
  entity: string,
  action: 'created' | 'updated' | 'deleted',
  id: string,
  customerId: string | null,
): LiveEvent {
  return { type: 'inventory.changed', customerId, data: { entity, action, id } };
}
