import { randomUUID } from 'node:crypto';
import type { Job } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { waitFor } from '../queue/testing/queue-kit.ts';
import { EventBus } from './event-bus.ts';
import { EventStreamService } from './event-stream.service.ts';
import { openSse, type SseClient } from './testing/sse-client.ts';

describe.each(testDatabases())('live events over SSE on %s', (dialect) => {
  let t: TestServer;
  let url: string;
  let bus: EventBus;
  let staff: Record<string, string>;
  let operator: Record<string, string>;
  let customerA: string;
  let customerUserA: Record<string, string>;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    t = await startTestServer(dialect, { server: { port: 0, host: '127.0.0.1' } });
    url = `${await t.server.listen()}/api/v1/events`;
    bus = t.server.app.get(EventBus);
    staff = (await signInAs(t, 'viewer')).headers;
    operator = (await signInAs(t, 'operator')).headers;
    const customer = await signInAs(t, 'customer');
    customerUserA = customer.headers;
    const own = await t.request({ method: 'GET', url: '/api/v1/customers', headers: customerUserA });
    customerA = own.json<{ items: { id: string }[] }>().items[0]?.id ?? '';
    expect(customerA).not.toBe('');
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await t.close();
  });

  const open = async (headers: Record<string, string>, query = '') => {
    const client = await openSse(`${url}${query}`, headers);
    clients.push(client);
    return client;
  };

  it('refuses anonymous callers', async () => {
    const client = await open({});
    expect(client.status).toBe(401);
  });

  it('streams every event to staff as event/data pairs', async () => {
    const client = await open(staff);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toContain('text/event-stream');
    expect(client.headers['cache-control']).toContain('no-cache');
    const other = randomUUID();
    await bus.publish({ type: 'inventory.changed', customerId: other, data: { entity: 'host', id: 'h1' } });
    await bus.publish({ type: 'inventory.changed', customerId: null, data: { entity: 'cluster', id: 'c1' } });
    await waitFor('both events', () => client.messages.length >= 2);
    expect(client.messages).toEqual([
      { event: 'inventory.changed', data: { entity: 'host', id: 'h1' } },
      { event: 'inventory.changed', data: { entity: 'cluster', id: 'c1' } },
    ]);
  });

  it('gives customer users only their own customer’s events', async () => {
    const client = await open(customerUserA);
    const marker = randomUUID();
    await bus.publish({ type: 'inventory.changed', customerId: randomUUID(), data: { id: 'someone-else' } });
    await bus.publish({ type: 'inventory.changed', customerId: null, data: { id: 'staff-only' } });
    await bus.publish({ type: 'inventory.changed', customerId: customerA, data: { id: marker } });
    await waitFor('the own event', () =>
      client.messages.some((m) => (m.data as { id: string }).id === marker),
    );
    expect(client.messages.map((m) => (m.data as { id: string }).id)).toEqual([marker]);
  });

  it('filters by event type when asked', async () => {
    const client = await open(staff, '?types=job.progress,job.log');
    await bus.publish({ type: 'inventory.changed', customerId: null, data: { n: 1 } });
    await bus.publish({ type: 'job.log', customerId: null, data: { n: 2 } });
    await bus.publish({ type: 'job.progress', customerId: null, data: { n: 3 } });
    await waitFor('two events', () => client.messages.length >= 2);
    expect(client.messages.map((m) => m.event)).toEqual(['job.log', 'job.progress']);
  });

  it('carries a customer’s job status, progress and log lines to that customer only', async () => {
    const own = await open(customerUserA, '?types=job.status,job.log,job.progress');
    const stranger = await open((await signInAs(t, 'customer')).headers);
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: operator,
      body: { type: 'system.diagnostics', customerId: customerA },
    });
    const job = res.json<Job>();
    await waitFor('the job to succeed on the stream', () =>
      own.messages.some((m) => m.event === 'job.status' && (m.data as Job).status === 'succeeded'),
    );
    const mine = own.messages.filter((m) => (m.data as { id: string }).id === job.id);
    expect(mine.filter((m) => m.event === 'job.status').map((m) => (m.data as Job).status)).toEqual([
      'queued',
      'running',
      'succeeded',
    ]);
    expect(mine.filter((m) => m.event === 'job.progress').map((m) => (m.data as Job).progress)).toEqual([
      25, 50, 75, 100,
    ]);
    expect(
      mine.some(
        (m) =>
          m.event === 'job.log' && String((m.data as { message: string }).message).startsWith('database'),
      ),
    ).toBe(true);
    expect(stranger.messages).toEqual([]);
  });

  it('sends heartbeat comments while nothing happens', async () => {
    t.server.app.get(EventStreamService).heartbeatMs = 20;
    try {
      const client = await open(staff);
      await waitFor('a heartbeat', () => client.comments.some((c) => c.startsWith('heartbeat')));
    } finally {
      t.server.app.get(EventStreamService).heartbeatMs = 15_000;
    }
  });

  it('lets go of a stream when its client disconnects', async () => {
    const streams = t.server.app.get(EventStreamService);
    for (const client of clients.splice(0)) client.close();
    await waitFor('earlier streams to close', () => streams.openCount === 0);
    const client = await open(staff);
    expect(streams.openCount).toBe(1);
    client.close();
    await waitFor('the stream to close', () => streams.openCount === 0);
  });
});

describe('live events at shutdown', () => {
  it('ends open streams so the server can stop', async () => {
    const t = await startTestServer('sqlite', { server: { port: 0, host: '127.0.0.1' } });
    const url = `${await t.server.listen()}/api/v1/events`;
    const client = await openSse(url, (await signInAs(t, 'viewer')).headers);
    expect(client.status).toBe(200);
    await t.close();
    await client.ended;
  });
});
