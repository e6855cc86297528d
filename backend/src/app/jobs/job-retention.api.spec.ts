import { randomUUID } from 'node:crypto';
import type { Job, JobDetail } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { JobQueue } from '../../core/queue/index.ts';
import { waitFor } from '../../core/queue/testing/queue-kit.ts';
import type { PruneReport } from './job-retention.ts';

const DAY_MS = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS).toISOString();

describe.each(testDatabases())('job retention on %s', (dialect) => {
  let t: TestServer;
  let operator: Record<string, string>;
  const chattyType = `test.chatty-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await startTestServer(dialect, { jobs: { retention_days: 30 } });
    operator = (await signInAs(t, 'operator')).headers;
    t.server.app.get(JobQueue).register(
      chattyType,
      async (_payload, ctx) => {
        await ctx.log('info', 'a line worth keeping for a while');
        await ctx.step('only-step', async () => ({ ok: true }));
        return { done: true };
      },
      { startableFromApi: true },
    );
  });
  afterAll(() => t.close());

  const getJob = (id: string) => t.request({ method: 'GET', url: `/api/v1/jobs/${id}`, headers: operator });
  const runJob = async (type: string, payload?: unknown): Promise<JobDetail> => {
    const res = await t.request({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: operator,
      body: payload === undefined ? { type } : { type, payload },
    });
    expect(res.status).toBe(201);
    const { id } = res.json<Job>();
    return waitFor(`job ${id} to finish`, async () => {
      const job = (await getJob(id)).json<JobDetail>();
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) && job;
    });
  };
  const backdate = (id: string, finishedAt: string) =>
    t.server.db.kysely.updateTable('jobs').set({ finished_at: finishedAt }).where('id', '=', id).execute();
  const rowsOf = async (table: 'job_logs' | 'job_steps', jobId: string) =>
    (await t.server.db.kysely.selectFrom(table).select('job_id').where('job_id', '=', jobId).execute())
      .length;

  it('forgets finished jobs older than the retention with their logs and steps, and keeps the rest', async () => {
    const old = await runJob(chattyType);
    const recent = await runJob(chattyType);
    await backdate(old.id, daysAgo(31));
    await backdate(recent.id, daysAgo(29));
    expect(await rowsOf('job_logs', old.id)).toBeGreaterThan(0);
    expect(await rowsOf('job_steps', old.id)).toBe(1);

    const ticks = [
      { schedule_name: 'test.every-minute', tick_at: daysAgo(40) },
      { schedule_name: 'test.every-minute', tick_at: daysAgo(35) },
      // A schedule that has not ticked for a long time keeps its latest tick: "last run" still shows.
      { schedule_name: 'test.rarely', tick_at: daysAgo(60) },
    ];
    await t.server.db.kysely
      .insertInto('schedule_runs')
      .values(ticks.map((tick) => ({ ...tick, job_id: null, replica: 'test', created_at: tick.tick_at })))
      .execute();

    const prune = await runJob('jobs.prune');
    expect(prune.status).toBe('succeeded');
    const report = prune.result as PruneReport;
    expect(report.jobs).toBe(1);
    expect(report.scheduleRuns).toBe(1);

    expect((await getJob(old.id)).status).toBe(404);
    expect(await rowsOf('job_logs', old.id)).toBe(0);
    expect(await rowsOf('job_steps', old.id)).toBe(0);
    expect((await getJob(recent.id)).status).toBe(200);
    expect(await rowsOf('job_logs', recent.id)).toBeGreaterThan(0);
    const left = await t.server.db.kysely
      .selectFrom('schedule_runs')
      .select(['schedule_name', 'tick_at'])
      .execute();
    expect(left).toEqual(
      expect.arrayContaining([
        { schedule_name: 'test.every-minute', tick_at: ticks[1]?.tick_at },
        { schedule_name: 'test.rarely', tick_at: ticks[2]?.tick_at },
      ]),
    );
    expect(left.some((row) => row.tick_at === ticks[0]?.tick_at)).toBe(false);
  });

  it('takes a shorter retention for one run from the payload and never touches queued or running jobs', async () => {
    const finished = await runJob(chattyType);
    await backdate(finished.id, daysAgo(3));
    const queued = randomUUID();
    await t.server.db.kysely
      .insertInto('jobs')
      .values({
        id: queued,
        type: 'test.never-claimed',
        status: 'queued',
        progress: 0,
        payload: '{}',
        attempts: 0,
        max_attempts: 1,
        cancel_requested: 0,
        created_at: daysAgo(90),
        updated_at: daysAgo(90),
        // A queued row with a stale finished_at (e.g. retried) must still stay.
        finished_at: daysAgo(90),
      })
      .execute();

    const prune = await runJob('jobs.prune', { retentionDays: 2 });
    expect((prune.result as PruneReport).jobs).toBeGreaterThanOrEqual(1);
    expect((await getJob(finished.id)).status).toBe(404);
    expect((await getJob(queued)).status).toBe(200);

    const bad = await t.request({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: operator,
      body: { type: 'jobs.prune', payload: { retentionDays: 0 } },
    });
    expect(bad.status).toBe(400);
  });

  it('runs daily on its own schedule', async () => {
    const res = await t.request({ method: 'GET', url: '/api/v1/jobs/schedules', headers: operator });
    const schedules = res.json<{ items: { name: string; jobType: string; cron: string }[] }>().items;
    expect(schedules).toContainEqual(
      expect.objectContaining({ name: 'jobs.prune.daily', jobType: 'jobs.prune', cron: '17 3 * * *' }),
    );
  });
});
