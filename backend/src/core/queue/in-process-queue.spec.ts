import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testDatabases } from '../../../test/test-databases.ts';
import { Conflict, NotFound, ValidationFailed } from '../errors/problems.ts';
import type { Caller } from '../http/caller.ts';
import { metricsRegistry } from '../metrics/registry.ts';
import { jobsRunning } from './job-metrics.ts';
import { JobsRepository } from './jobs.repository.ts';
import { gate, openQueueKit, waitFor, type QueueKit } from './testing/queue-kit.ts';

const operator: Caller = {
  userId: randomUUID(),
  username: 'olga',
  role: 'operator',
  customerId: null,
  via: 'session',
  sessionId: null,
  tokenId: null,
  scopes: ['read', 'write'],
  ip: '127.0.0.1',
  requestId: 'test-request',
};

/** Unique per test so runs, metrics and handlers never mix. */
const uniqueType = (name: string) => `test.${name}-${randomUUID().slice(0, 8)}`;

describe.each(testDatabases())('in-process job queue on %s', (dialect) => {
  let kit: QueueKit;
  let repo: JobsRepository;
  beforeAll(async () => {
    kit = await openQueueKit(dialect);
    repo = new JobsRepository(kit.db);
  });
  afterAll(() => kit.close());

  const job = async (id: string) => (await repo.find(id, null)) ?? expect.fail(`job ${id} is gone`);
  const finished = (id: string) =>
    waitFor(`job ${id} to finish`, async () => {
      const row = await job(id);
      return ['succeeded', 'failed', 'cancelled'].includes(row.status) && row;
    });

  it('runs a job to success, keeping its log lines, progress, result, events and metrics', async () => {
    const type = uniqueType('echo');
    const queue = kit.newQueue();
    queue.register(
      type,
      async (payload: { name: string }, ctx) => {
        await ctx.log('info', `hello ${payload.name}`);
        await ctx.progress(40);
        await ctx.log('warn', 'almost there');
        return { greeted: payload.name };
      },
      { payloadSchema: z.object({ name: z.string() }) },
    );
    await queue.start();
    const queued = await queue.enqueue(operator, type, { name: 'puma-proxmox-001' });
    expect(queued.status).toBe('queued');

    const row = await finished(queued.id);
    expect(row.status).toBe('succeeded');
    expect(JSON.parse(row.result ?? 'null')).toEqual({ greeted: 'puma-proxmox-001' });
    expect(row.progress).toBe(100);
    expect(row.attempts).toBe(1);
    expect(row.created_by).toBe(operator.userId);

    const logs = await repo.logs(queued.id, 0, 100);
    expect(logs.map((l) => [l.level, l.message])).toEqual([
      ['info', 'started'],
      ['info', 'hello puma-proxmox-001'],
      ['warn', 'almost there'],
      ['info', 'succeeded'],
    ]);
    expect(logs.map((l) => l.seq)).toEqual([1, 2, 3, 4]);

    const mine = kit.published.filter((e) => e.data.id === queued.id);
    expect(mine.filter((e) => e.type === 'job.status').map((e) => e.data.status)).toEqual([
      'queued',
      'running',
      'succeeded',
    ]);
    expect(mine.find((e) => e.type === 'job.progress')?.data.progress).toBe(40);
    expect(mine.filter((e) => e.type === 'job.log').map((e) => e.data.message)).toContain(
      'hello puma-proxmox-001',
    );

    const metrics = await metricsRegistry.metrics();
    expect(metrics).toContain(`skyy_jobs_total{type="${type}",status="succeeded"} 1`);
    expect(metrics).toMatch(
      new RegExp(`skyy_job_duration_seconds_count\\{type="${type.replace('.', '\\.')}"\\} 1`),
    );

    const audit = await kit.db.kysely
      .selectFrom('audit_log')
      .selectAll()
      .where('target_id', '=', queued.id)
      .execute();
    expect(audit.map((a) => [a.action, a.actor_id])).toEqual([['job.start', operator.userId]]);
  });

  it('refuses a payload its type does not accept, before anything is recorded', async () => {
    const type = uniqueType('strict');
    const queue = kit.newQueue();
    queue.register(type, async () => null, { payloadSchema: z.strictObject({ count: z.number().int() }) });
    const error = await queue.enqueue(operator, type, { count: 'many' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationFailed);
    expect((error as ValidationFailed).errors?.[0]?.path).toBe('payload.count');
    expect(
      (await repo.page({ limit: 10, order: 'desc', sort: 'createdAt', type, customerId: null })).total,
    ).toBe(0);
  });

  it('records a handler that throws as failed, with its error', async () => {
    const type = uniqueType('broken');
    const queue = kit.newQueue();
    queue.register(type, async (_payload, ctx) => {
      await ctx.progress(10);
      throw new Error('pfSense answered 502 Bad Gateway');
    });
    await queue.start();
    const queued = await queue.enqueue('system', type, {});
    const row = await finished(queued.id);
    expect(row.status).toBe('failed');
    expect(row.error).toBe('pfSense answered 502 Bad Gateway');
    expect(row.progress).toBe(10);
    const logs = await repo.logs(queued.id, 0, 100);
    expect(logs.at(-1)).toMatchObject({
      level: 'error',
      message: 'failed: pfSense answered 502 Bad Gateway',
    });
    expect(await metricsRegistry.metrics()).toContain(`skyy_jobs_total{type="${type}",status="failed"} 1`);
  });

  it('cancels a queued job at once and it never runs', async () => {
    const type = uniqueType('never');
    let ran = false;
    const queue = kit.newQueue();
    queue.register(type, async () => {
      ran = true;
    });
    const queued = await queue.enqueue(operator, type, {});
    const cancelled = await queue.cancel(operator, queued.id);
    expect(cancelled.status).toBe('cancelled');
    await queue.start();
    // Another job of the same type runs, proving the worker is up and skipped the cancelled one.
    const later = await queue.enqueue(operator, type, {});
    expect((await finished(later.id)).status).toBe('succeeded');
    expect((await job(queued.id)).status).toBe('cancelled');
    expect(ran).toBe(true);
    await expect(queue.cancel(operator, queued.id)).rejects.toBeInstanceOf(Conflict);
    await expect(queue.cancel(operator, randomUUID())).rejects.toBeInstanceOf(NotFound);
  });

  it('cancels a running job through its abort signal', async () => {
    const type = uniqueType('long');
    const started = gate();
    const queue = kit.newQueue();
    queue.register(type, async (_payload, ctx) => {
      started.open();
      await new Promise<void>((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
      );
    });
    await queue.start();
    const queued = await queue.enqueue(operator, type, {});
    await started.promise;
    const running = async () => (await jobsRunning.get()).values[0]?.value;
    expect(await running()).toBe(1);
    expect((await queue.cancel(operator, queued.id)).cancelRequested).toBe(true);
    const row = await finished(queued.id);
    expect(row.status).toBe('cancelled');
    await waitFor('the running gauge to drop', async () => (await running()) === 0);
    expect(await metricsRegistry.metrics()).toContain(`skyy_jobs_total{type="${type}",status="cancelled"} 1`);
    const messages = (await repo.logs(queued.id, 0, 100)).map((l) => l.message);
    expect(messages).toContain('cancel requested by olga');
  });

  it('notices a cancel requested on another replica at its next heartbeat', async () => {
    const type = uniqueType('remote-cancel');
    const started = gate();
    const worker = kit.newQueue({ leaseMs: 300 });
    const api = kit.newQueue();
    for (const queue of [worker, api]) {
      queue.register(type, async (_payload, ctx) => {
        started.open();
        await new Promise<void>((_, reject) =>
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
        );
      });
    }
    await worker.start();
    const queued = await api.enqueue(operator, type, {});
    await started.promise;
    await api.cancel(operator, queued.id);
    expect((await finished(queued.id)).status).toBe('cancelled');
  });

  it('retries a failed job as a new attempt of the same job', async () => {
    const type = uniqueType('flaky');
    let calls = 0;
    const queue = kit.newQueue();
    queue.register(type, async (_payload, ctx) => {
      calls++;
      if (ctx.attempt === 1) throw new Error('Proxmox API timed out');
      return { attempt: ctx.attempt };
    });
    await queue.start();
    const queued = await queue.enqueue(operator, type, {});
    expect((await finished(queued.id)).status).toBe('failed');
    await expect(queue.retry(operator, randomUUID())).rejects.toBeInstanceOf(NotFound);

    const retried = await queue.retry(operator, queued.id);
    expect(retried).toMatchObject({ id: queued.id, status: 'queued', error: null });
    const row = await finished(queued.id);
    expect(row.status).toBe('succeeded');
    expect(row.attempts).toBe(2);
    expect(JSON.parse(row.result ?? 'null')).toEqual({ attempt: 2 });
    expect(calls).toBe(2);
    await expect(queue.retry(operator, queued.id)).rejects.toBeInstanceOf(Conflict);
    const actions = await kit.db.kysely
      .selectFrom('audit_log')
      .select('action')
      .where('target_id', '=', queued.id)
      .orderBy('at')
      .execute();
    expect(actions.map((a) => a.action)).toEqual(['job.start', 'job.retry']);
  });

  it('returns the active job for a dedupe key instead of starting a second one', async () => {
    const type = uniqueType('dedupe');
    const queue = kit.newQueue();
    queue.register(type, async () => null);
    const first = await queue.enqueue('system', type, {}, { dedupeKey: `sync:${type}` });
    const second = await queue.enqueue('system', type, {}, { dedupeKey: `sync:${type}` });
    expect(second.id).toBe(first.id);
    await queue.start();
    expect((await finished(first.id)).status).toBe('succeeded');
    const third = await queue.enqueue('system', type, {}, { dedupeKey: `sync:${type}` });
    expect(third.id).not.toBe(first.id);
  });

  it('lets another worker take over a job whose worker stopped renewing its lease', async () => {
    const type = uniqueType('orphan');
    const survivor = kit.newQueue();
    let ranOn: string | undefined;
    survivor.register(type, async (_payload, ctx) => {
      ranOn = `attempt ${ctx.attempt}`;
      return 'recovered';
    });
    const queued = await survivor.enqueue('system', type, {});
    // What a worker that crashed right after claiming leaves behind: running, lease about to run out.
    const claimed = await repo.claimNext('crashed-worker', [type], 200);
    expect(claimed?.id).toBe(queued.id);
    await survivor.start();
    const row = await finished(queued.id);
    expect(row.status).toBe('succeeded');
    expect(row.attempts).toBe(2);
    expect(ranOn).toBe('attempt 2');
    expect((await repo.logs(queued.id, 0, 10)).map((l) => l.message)).toContain('started (attempt 2)');
  });

  it('never gives the same job to two workers racing for it', async () => {
    const type = uniqueType('race');
    const producer = kit.newQueue();
    producer.register(type, async () => null);
    const jobs = await Promise.all(Array.from({ length: 6 }, () => producer.enqueue('system', type, {})));
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => repo.claimNext(`racer-${i}`, [type], 60_000)),
    );
    const won = claims.filter((c) => c !== undefined).map((c) => c.id);
    expect(won.sort()).toEqual(jobs.map((j) => j.id).sort());
  });

  it('gives up on a job that took its worker down too many times', async () => {
    const type = uniqueType('poison');
    const queue = kit.newQueue();
    let ran = false;
    queue.register(
      type,
      async () => {
        ran = true;
      },
      { maxAttempts: 2 },
    );
    const queued = await queue.enqueue('system', type, {});
    for (const worker of ['dead-1', 'dead-2']) {
      await repo.claimNext(worker, [type], 1);
      await waitFor(
        'the lease to expire',
        async () => ((await job(queued.id)).lease_expires_at ?? '') < new Date().toISOString(),
      );
    }
    await queue.start();
    const row = await finished(queued.id);
    expect(row.status).toBe('failed');
    expect(row.error).toMatch(/gave up after 2 attempt/);
    expect(ran).toBe(false);
  });

  it('hands a running job back to the queue when its worker shuts down', async () => {
    const type = uniqueType('graceful');
    const started = gate();
    const first = kit.newQueue({ shutdownGraceMs: 50 });
    first.register(type, async (_payload, ctx) => {
      await ctx.step('prepare', async () => 'prepared');
      started.open();
      await new Promise<void>((_, reject) =>
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
      );
    });
    await first.start();
    const queued = await first.enqueue('system', type, {});
    await started.promise;
    await first.stop();
    const released = await job(queued.id);
    expect(released.status).toBe('queued');
    expect(released.locked_by).toBeNull();

    let prepared = 0;
    const second = kit.newQueue();
    second.register(type, async (_payload, ctx) => ctx.step('prepare', async () => `${++prepared}`));
    await second.start();
    const row = await finished(queued.id);
    expect(row.status).toBe('succeeded');
    expect(JSON.parse(row.result ?? 'null')).toBe('prepared');
    expect(prepared).toBe(0);
  });
});
