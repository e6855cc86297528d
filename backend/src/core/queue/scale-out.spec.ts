import { randomUUID } from 'node:crypto';
import type { Job } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { postgresUrl } from '../../../test/test-databases.ts';
import { EventBus } from '../events/event-bus.ts';
import { openSse } from '../events/testing/sse-client.ts';
import { JobQueue, Schedules, startBackgroundWork } from './index.ts';
import { JobsRepository } from './jobs.repository.ts';
import { gate, waitFor } from './testing/queue-kit.ts';
import { openReplicaCluster, type ReplicaCluster } from './testing/replicas.ts';
import { spawnWorker, type WorkerProcess } from './testing/spawn-worker.ts';
import { registerThreeSteps, THREE_STEPS, type StepCounters } from './testing/three-step-job.ts';

const databaseUrl = postgresUrl();
const redisUrl = process.env.REDIS_URL;

/**
 * The scale-out proof: replicas sharing one PostgreSQL schema and one Redis. Runs wherever
 * DATABASE_URL and REDIS_URL are set (CI sets both); elsewhere it is not collected.
 */
describe.runIf(databaseUrl && redisUrl)('scale-out: replicas on PostgreSQL + Redis (BullMQ)', () => {
  let cluster: ReplicaCluster;
  let repo: JobsRepository;
  beforeAll(async () => {
    cluster = await openReplicaCluster(databaseUrl as string, redisUrl as string);
  });
  afterAll(() => cluster.close());

  const finished = (id: string) =>
    waitFor(`job ${id} to finish`, async () => {
      const row = await repo.find(id, null);
      return row && ['succeeded', 'failed', 'cancelled'].includes(row.status) && row;
    });

  it('runs a per-second schedule on two replicas exactly once per tick', async () => {
    const [a, b] = [await cluster.start('all'), await cluster.start('all')];
    repo = new JobsRepository(a.server.db);
    const type = `test.tick-${randomUUID().slice(0, 8)}`;
    const name = `every-second-${type}`;
    const executions: string[] = [];
    for (const [i, replica] of [a, b].entries()) {
      replica.server.app.get(JobQueue).register(type, async (_payload, ctx) => {
        executions.push(`${ctx.jobId}@${i}`);
      });
      replica.server.app
        .get(Schedules)
        .define({ name, cron: '* * * * * *', jobType: type, skipIfRunning: false });
    }
    const runs = () =>
      a.server.db.kysely.selectFrom('schedule_runs').selectAll().where('schedule_name', '=', name).execute();
    await waitFor('five ticks', async () => (await runs()).length >= 5, 30_000);
    for (const replica of [a, b]) await replica.server.app.get(Schedules).stop();

    const ticks = await runs();
    const jobs = () => a.server.db.kysely.selectFrom('jobs').selectAll().where('type', '=', type).execute();
    await waitFor('every tick’s job to finish', async () => {
      const rows = await jobs();
      return rows.length >= ticks.length && rows.every((j) => j.status === 'succeeded');
    });
    const jobIds = (await jobs()).map((j) => j.id).sort();
    expect(jobIds).toHaveLength(ticks.length);
    // One job per tick, each tick a distinct second, and every job executed exactly once.
    expect(new Set(ticks.map((t) => t.tick_at)).size).toBe(ticks.length);
    expect(ticks.map((t) => t.job_id).sort()).toEqual(jobIds);
    expect(executions.map((e) => e.split('@')[0]).sort()).toEqual(jobIds);
    await a.close();
    await b.close();
  });

  it('finishes a job on another replica after its worker process is killed mid-job', async () => {
    // The surviving replica starts without workers, so the child process is sure to get the job.
    const survivor = await cluster.start('api');
    repo = new JobsRepository(survivor.server.db);
    const counters: StepCounters = { fetch: 0, reserve: 0, apply: 0 };
    registerThreeSteps(survivor.server.app.get(JobQueue), counters, async () => 'applied after the crash');

    let worker: WorkerProcess | undefined;
    try {
      worker = spawnWorker({
        database: { ...cluster.database.options, dataDir: survivor.dataDir },
        redisUrl: cluster.redisUrl,
        queue: cluster.queueSettings,
      });
      await worker.ready;
      const job = await survivor.server.app.get(JobQueue).enqueue('system', THREE_STEPS, {});
      await waitFor(
        'the child to reach the apply step',
        async () => (await repo.findStep(job.id, 'apply'))?.status === 'running',
        30_000,
      );
      await worker.kill();

      await startBackgroundWork(survivor.server.app);
      const row = await finished(job.id);
      expect(row.status).toBe('succeeded');
      expect(row.attempts).toBe(2);
      expect(JSON.parse(row.result ?? 'null')).toMatchObject({ applied: 'applied after the crash' });
      expect(counters).toEqual({ fetch: 0, reserve: 0, apply: 1 });
      expect((await repo.steps(job.id)).map((s) => [s.name, s.attempts])).toEqual([
        ['fetch-inventory', 1],
        ['reserve-ips', 1],
        ['apply', 2],
      ]);
    } finally {
      await worker?.kill();
      await survivor.close();
    }
  });

  it('carries live events from one replica to an SSE client of another over Redis', async () => {
    const [a, b] = [await cluster.start('all'), await cluster.start('all')];
    repo = new JobsRepository(a.server.db);
    const viewer = await signInAs(b, 'viewer');
    const operator = await signInAs(a, 'operator');
    const stream = await openSse(`${b.url}/api/v1/events`, viewer.headers);
    try {
      expect(stream.status).toBe(200);
      const marker = randomUUID();
      await a.server.app
        .get(EventBus)
        .publish({ type: 'inventory.changed', customerId: null, data: { id: marker } });
      await waitFor('the event on replica B', () =>
        stream.messages.some((m) => (m.data as { id: string }).id === marker),
      );

      const res = await a.request({
        method: 'POST',
        url: '/api/v1/jobs',
        headers: operator.headers,
        body: { type: 'system.diagnostics' },
      });
      const job = res.json<Job>();
      await waitFor('the job’s success on replica B', () =>
        stream.messages.some(
          (m) =>
            m.event === 'job.status' &&
            (m.data as Job).id === job.id &&
            (m.data as Job).status === 'succeeded',
        ),
      );
      const row = await finished(job.id);
      expect(JSON.parse(row.result ?? 'null')).toMatchObject({ checks: { redis: { status: 'ok' } } });
    } finally {
      stream.close();
      await a.close();
      await b.close();
    }
  });

  it('cancels, fails and retries through BullMQ, including a cancel sent to another replica', async () => {
    const api = await cluster.start('api');
    const worker = await cluster.start('api');
    repo = new JobsRepository(api.server.db);
    const type = `test.bull-${randomUUID().slice(0, 8)}`;
    const started = gate();
    let attempts = 0;
    for (const replica of [api, worker]) {
      replica.server.app.get(JobQueue).register(type, async (payload: { mode: string }, ctx) => {
        if (payload.mode === 'fail') {
          attempts++;
          if (attempts === 1) throw new Error('Ceph reported HEALTH_ERR');
          return 'second time lucky';
        }
        if (payload.mode === 'block') {
          started.open();
          await new Promise((_, reject) =>
            ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)),
          );
        }
        return 'ok';
      });
    }
    try {
      const apiQueue = api.server.app.get(JobQueue);
      // No worker runs yet: a queued job is cancelled at once and never reaches a worker.
      const queued = await apiQueue.enqueue('system', type, { mode: 'ok' });
      expect((await apiQueue.cancel('system', queued.id)).status).toBe('cancelled');

      await startBackgroundWork(worker.server.app);
      const ok = await apiQueue.enqueue('system', type, { mode: 'ok' });
      expect((await finished(ok.id)).status).toBe('succeeded');
      expect((await repo.find(queued.id, null))?.status).toBe('cancelled');

      const flaky = await apiQueue.enqueue('system', type, { mode: 'fail' });
      expect(await finished(flaky.id)).toMatchObject({ status: 'failed', error: 'Ceph reported HEALTH_ERR' });
      await apiQueue.retry('system', flaky.id);
      expect(await finished(flaky.id)).toMatchObject({ status: 'succeeded', attempts: 2 });

      // Running on the worker replica, cancelled from the API replica: seen at the next heartbeat.
      const blocking = await apiQueue.enqueue('system', type, { mode: 'block' });
      await started.promise;
      await apiQueue.cancel('system', blocking.id);
      expect((await finished(blocking.id)).status).toBe('cancelled');
    } finally {
      await api.close();
      await worker.close();
    }
  });
});
