import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../queue/testing/queue-kit.ts';
import type { LiveEvent } from './event-bus.ts';
import { RedisEventBus } from './redis-event-bus.ts';

const redisUrl = process.env.REDIS_URL;

describe.runIf(redisUrl)('Redis event bus against a real Redis', () => {
  it('delivers each event once to every replica, and ignores foreign messages on the channel', async () => {
    const channel = `skyy-test-${randomBytes(5).toString('hex')}:events`;
    const [a, b] = [
      new RedisEventBus(redisUrl as string, { channel }),
      new RedisEventBus(redisUrl as string, { channel }),
    ];
    const raw = new Redis(redisUrl as string);
    try {
      await Promise.all([a.ready(), b.ready()]);
      const seenA: LiveEvent[] = [];
      const seenB: LiveEvent[] = [];
      a.subscribe((e) => seenA.push(e));
      const unsubscribe = b.subscribe((e) => seenB.push(e));
      await raw.publish(channel, 'not json');
      await raw.publish(channel, JSON.stringify({ type: 42 }));
      const event: LiveEvent = { type: 'job.progress', customerId: null, data: { id: 'x', progress: 50 } };
      await a.publish(event);
      await waitFor('both replicas', () => seenA.length >= 1 && seenB.length >= 1);
      expect(seenA).toEqual([event]);
      expect(seenB).toEqual([event]);

      unsubscribe();
      await b.publish({ ...event, data: { id: 'y', progress: 60 } });
      await waitFor('replica A', () => seenA.length >= 2);
      expect(seenB).toHaveLength(1);
    } finally {
      raw.disconnect();
      await a.close();
      await b.close();
    }
  });
});

describe('Redis event bus while Redis is unreachable', () => {
  it('reports not ready, fails publishing at once, and closes without waiting', async () => {
    const bus = new RedisEventBus('redis://127.0.0.1:1', { channel: 'skyy-test-unreachable:events' });
    await expect(bus.ready(2_000)).rejects.toThrow();
    await expect(bus.publish({ type: 'job.log', customerId: null, data: {} })).rejects.toThrow();
    await bus.close();
  });
});
