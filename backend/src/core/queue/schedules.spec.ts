import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/test-databases.ts';
import { Schedules } from './schedules.ts';
import { openQueueKit, waitFor, type QueueKit } from './testing/queue-kit.ts';

describe.each(testDatabases())('schedules on %s', (dialect) => {
  let kit: QueueKit;
  beforeAll(async () => {
    kit = await openQueueKit(dialect);
  });
  afterAll(() => kit.close());

  /** Two replicas: each its own queue and scheduler on the shared database. */
  function replicas(
    type: string,
    handler: (replica: number, jobId: string) => Promise<unknown> = async () => null,
  ) {
    const make = (replica: number) => {
      const queue = kit.newQueue();
      queue.register(type, (_payload, ctx) => handler(replica, ctx.jobId));
      return { queue, schedules: new Schedules(kit.db, queue, kit.logger) };
    };
    return [make(0), make(1)] as const;
  }

  const runsOf = (name: string) =>
    kit.db.kysely
      .selectFrom('schedule_runs')
      .selectAll()
      .where('schedule_name', '=', name)
      .orderBy('tick_at')
      .execute();
  const jobsOf = (type: string) =>
    kit.db.kysely.selectFrom('jobs').selectAll().where('type', '=', type).execute();

  it('enqueues one job per tick however many replicas see the tick', async () => {
    const type = `test.tick-${randomUUID().slice(0, 8)}`;
    const name = `every-minute-${type}`;
    const [a, b] = replicas(type);
    for (const r of [a, b])
      r.schedules.define({ name, cron: '* * * * *', jobType: type, skipIfRunning: false });

    const ticks = [0, 1, 2, 3, 4].map((m) => new Date(Date.UTC(2026, 10, 27, 12, m)));
    const outcomes = await Promise.all(
      ticks.flatMap((tick) => [a.schedules.tick(name, tick), b.schedules.tick(name, tick)]),
    );
    for (let i = 0; i < ticks.length; i++) {
      expect([outcomes[2 * i], outcomes[2 * i + 1]].sort()).toEqual(['enqueued', 'taken']);
    }
    const runs = await runsOf(name);
    const jobs = await jobsOf(type);
    expect(runs.map((r) => r.tick_at)).toEqual(ticks.map((t) => t.toISOString()));
    expect(jobs).toHaveLength(5);
    expect(runs.map((r) => r.job_id).sort()).toEqual(jobs.map((j) => j.id).sort());
    expect(jobs.every((j) => j.created_by === null && j.status === 'queued')).toBe(true);
  });

  it('skips a tick while the previous run is still queued or running', async () => {
    const type = `test.slow-${randomUUID().slice(0, 8)}`;
    const name = `hourly-${type}`;
    const [a] = replicas(type);
    a.schedules.define({ name, cron: '0 * * * *', jobType: type });
    expect(await a.schedules.tick(name, new Date(Date.UTC(2026, 10, 27, 10)))).toBe('enqueued');
    expect(await a.schedules.tick(name, new Date(Date.UTC(2026, 10, 27, 11)))).toBe('skipped');
    const runs = await runsOf(name);
    expect(runs.map((r) => r.job_id === null)).toEqual([false, true]);

    await a.queue.start();
    await waitFor('the first run to finish', async () => (await jobsOf(type))[0]?.status === 'succeeded');
    expect(await a.schedules.tick(name, new Date(Date.UTC(2026, 10, 27, 12)))).toBe('enqueued');
    expect(await jobsOf(type)).toHaveLength(2);
    const listed = (await a.schedules.list()).find((s) => s.name === name);
    expect(listed).toMatchObject({
      cron: '0 * * * *',
      jobType: type,
      lastRunAt: new Date(Date.UTC(2026, 10, 27, 12)).toISOString(),
    });
    const second = (await jobsOf(type)).find((j) => j.id !== runs[0]?.job_id);
    expect(listed?.lastJobId).toBe(second?.id);
  });

  it('fires on the clock: a per-second schedule on two replicas runs each second once', async () => {
    const type = `test.second-${randomUUID().slice(0, 8)}`;
    const name = `every-second-${type}`;
    const executed: string[] = [];
    // Each replica's handler records which job it ran, so a job run twice would show.
    const both = replicas(type, async (replica, jobId) => executed.push(`${jobId}@${replica}`));
    for (const r of both) {
      r.schedules.define({ name, cron: '* * * * * *', jobType: type, skipIfRunning: false });
      await r.queue.start();
      r.schedules.start();
    }
    await waitFor('four ticks', async () => (await runsOf(name)).length >= 4);
    for (const r of both) await r.schedules.stop();
    const runs = await runsOf(name);
    await waitFor('every run to finish', async () => {
      const jobs = await jobsOf(type);
      return jobs.length >= runs.length && jobs.every((j) => j.status === 'succeeded');
    });
    const ticks = runs.map((r) => r.tick_at);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.every((t) => t.endsWith('.000Z'))).toBe(true);
    const jobIds = (await jobsOf(type)).map((j) => j.id).sort();
    expect(jobIds).toHaveLength(runs.length);
    expect(runs.map((r) => r.job_id).sort()).toEqual(jobIds);
    expect(executed.map((e) => e.split('@')[0]).sort()).toEqual(jobIds);
  });

  it('refuses a bad cron expression and a name defined twice', () => {
    const [a] = replicas(`test.bad-${randomUUID().slice(0, 8)}`);
    expect(() => a.schedules.define({ name: 'broken', cron: 'every tuesday', jobType: 'x.y' })).toThrow(
      /invalid cron/,
    );
    a.schedules.define({ name: 'twice', cron: '0 * * * *', jobType: 'x.y' });
    expect(() => a.schedules.define({ name: 'twice', cron: '0 * * * *', jobType: 'x.y' })).toThrow(/twice/);
  });
});
