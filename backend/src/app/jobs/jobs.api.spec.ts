import { randomUUID } from 'node:crypto';
import type { Job, JobDetail, JobLogPage, Page } from '@skyy/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { JobQueue } from '../../core/queue/index.ts';
import { gate, waitFor } from '../../core/queue/testing/queue-kit.ts';
import type { DiagnosticsReport } from './system-diagnostics.ts';

describe.each(testDatabases())('jobs API on %s', (dialect) => {
  let t: TestServer;
  let operator: Record<string, string>;
  let viewer: Record<string, string>;
  let customerA: string;
  let customerB: string;
  let customerUserA: Record<string, string>;
  const release = gate();
  const blockingType = `test.blocking-${randomUUID().slice(0, 8)}`;
  const internalType = `test.internal-${randomUUID().slice(0, 8)}`;

  beforeAll(async () => {
    t = await startTestServer(dialect);
    operator = (await signInAs(t, 'operator')).headers;
    viewer = (await signInAs(t, 'viewer')).headers;
    customerA = await createCustomer('Acme GPU');
    customerB = await createCustomer('Bravo Render');
    customerUserA = (await signInAs(t, 'customer', { customerId: customerA })).headers;
    const queue = t.server.app.get(JobQueue);
    queue.register(
      blockingType,
      async (_payload, ctx) => {
        await ctx.log('info', 'waiting for the test');
        await Promise.race([
          release.promise,
          new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason))),
        ]);
        return { done: true };
      },
      { startableFromApi: true },
    );
    queue.register(internalType, async () => null);
  });
  afterAll(async () => {
    release.open();
    await t.close();
  });

  async function createCustomer(name: string): Promise<string> {
    const admin = (await signInAs(t, 'admin')).headers;
    const res = await t.request({ method: 'POST', url: '/api/v1/customers', headers: admin, body: { name } });
    expect(res.status).toBe(201);
    return res.json<{ id: string }>().id;
  }

  const getJob = async (id: string, headers = operator) =>
    (await t.request({ method: 'GET', url: `/api/v1/jobs/${id}`, headers })).json<JobDetail>();
  const settled = (id: string) =>
    waitFor(`job ${id} to finish`, async () => {
      const job = await getJob(id);
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) && job;
    });
  const start = (type: string, headers = operator, extra: Record<string, unknown> = {}) =>
    t.request({ method: 'POST', url: '/api/v1/jobs', headers, body: { type, ...extra } });

  it('refuses anonymous callers', async () => {
    expect((await t.request({ method: 'GET', url: '/api/v1/jobs' })).status).toBe(401);
    expect(
      (await t.request({ method: 'POST', url: '/api/v1/jobs', body: { type: 'system.diagnostics' } })).status,
    ).toBe(401);
  });

  it('runs system.diagnostics from the API: progress, log lines and a report as its result', async () => {
    const res = await start('system.diagnostics');
    expect(res.status).toBe(201);
    const started = res.json<Job>();
    expect(started).toMatchObject({ type: 'system.diagnostics', status: 'queued', customerId: null });

    const job = await settled(started.id);
    expect(job.status).toBe('succeeded');
    expect(job.progress).toBe(100);
    const report = job.result as DiagnosticsReport;
    expect(report.checks.database).toMatchObject({ status: 'ok', dialect });
    expect(report.checks.redis.status).toBe('not-configured');
    expect(report.checks.disk.path).toBe(t.dataDir);
    expect(report.checks.disk.totalBytes).toBeGreaterThan(0);
    expect(report.checks.migrations).toMatchObject({ status: 'ok', pending: [] });
    expect(report.checks.migrations.applied).toBeGreaterThanOrEqual(3);

    const logs = (
      await t.request({ method: 'GET', url: `/api/v1/jobs/${started.id}/logs`, headers: viewer })
    ).json<JobLogPage>();
    const messages = logs.items.map((l) => l.message);
    expect(messages.some((m) => m.startsWith(`database (${dialect}): ok`))).toBe(true);
    expect(messages.some((m) => m.startsWith('migrations: ok, all'))).toBe(true);
    expect(logs.nextAfter).toBe(logs.items.at(-1)?.seq);

    const tail = (
      await t.request({ method: 'GET', url: `/api/v1/jobs/${started.id}/logs?after=2`, headers: viewer })
    ).json<JobLogPage>();
    expect(tail.items.map((l) => l.seq)).toEqual(logs.items.filter((l) => l.seq > 2).map((l) => l.seq));
    const none = (
      await t.request({
        method: 'GET',
        url: `/api/v1/jobs/${started.id}/logs?after=${logs.nextAfter}`,
        headers: viewer,
      })
    ).json<JobLogPage>();
    expect(none).toEqual({ items: [], nextAfter: logs.nextAfter });
  });

  it('starts only job types marked startable, and only for operators', async () => {
    const internal = await start(internalType);
    expect(internal.status).toBe(422);
    expect(internal.json()).toMatchObject({ errors: [{ path: 'body.type' }] });
    expect((await start('nothing.registered')).status).toBe(422);
    expect((await start('system.diagnostics', viewer)).status).toBe(403);
    expect((await start('system.diagnostics', customerUserA)).status).toBe(403);
    const badPayload = await start('system.diagnostics', operator, { payload: { diskWarnPercent: 'lots' } });
    expect(badPayload.status).toBe(400);
    expect(badPayload.json()).toMatchObject({ errors: [{ path: 'payload.diskWarnPercent' }] });
    expect((await start('system.diagnostics', operator, { customerId: randomUUID() })).status).toBe(422);
  });

  it('shows customer users only their own customer’s jobs', async () => {
    const a = (await start(blockingType, operator, { customerId: customerA })).json<Job>();
    const b = (await start(blockingType, operator, { customerId: customerB })).json<Job>();
    const internal = (await start(blockingType)).json<Job>();

    const seenByA = (
      await t.request({
        method: 'GET',
        url: `/api/v1/jobs?type=${blockingType}&limit=100`,
        headers: customerUserA,
      })
    ).json<Page<Job>>();
    expect(seenByA.items.map((j) => j.id)).toEqual([a.id]);
    expect(seenByA.total).toBe(1);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/jobs/${b.id}`, headers: customerUserA })).status,
    ).toBe(404);
    expect(
      (await t.request({ method: 'GET', url: `/api/v1/jobs/${internal.id}/logs`, headers: customerUserA }))
        .status,
    ).toBe(404);
    expect((await getJob(a.id, customerUserA)).customerId).toBe(customerA);

    const seenByStaff = (
      await t.request({ method: 'GET', url: `/api/v1/jobs?type=${blockingType}&limit=100`, headers: viewer })
    ).json<Page<Job>>();
    expect(seenByStaff.items.map((j) => j.id).sort()).toEqual([a.id, b.id, internal.id].sort());

    for (const job of [a, b, internal]) {
      expect(
        (await t.request({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel`, headers: operator })).status,
      ).toBe(200);
    }
  });

  it('lets operators cancel and retry, audits both, and refuses viewers', async () => {
    const started = (await start(blockingType)).json<Job>();
    await waitFor('the job to run', async () => (await getJob(started.id)).status === 'running');
    expect(
      (await t.request({ method: 'POST', url: `/api/v1/jobs/${started.id}/cancel`, headers: viewer })).status,
    ).toBe(403);

    const cancel = await t.request({
      method: 'POST',
      url: `/api/v1/jobs/${started.id}/cancel`,
      headers: operator,
    });
    expect(cancel.status).toBe(200);
    expect(cancel.json<Job>().cancelRequested).toBe(true);
    expect((await settled(started.id)).status).toBe('cancelled');
    expect(
      (await t.request({ method: 'POST', url: `/api/v1/jobs/${started.id}/cancel`, headers: operator }))
        .status,
    ).toBe(409);

    expect(
      (await t.request({ method: 'POST', url: `/api/v1/jobs/${started.id}/retry`, headers: viewer })).status,
    ).toBe(403);
    const retry = await t.request({
      method: 'POST',
      url: `/api/v1/jobs/${started.id}/retry`,
      headers: operator,
    });
    expect(retry.status).toBe(200);
    expect(retry.json<Job>()).toMatchObject({ id: started.id, status: 'queued' });
    release.open();
    const done = await settled(started.id);
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2, result: { done: true } });
    expect(
      (await t.request({ method: 'POST', url: `/api/v1/jobs/${started.id}/retry`, headers: operator }))
        .status,
    ).toBe(409);
    expect(
      (await t.request({ method: 'POST', url: `/api/v1/jobs/${randomUUID()}/retry`, headers: operator }))
        .status,
    ).toBe(404);

    const audit = (
      await t.request({
        method: 'GET',
        url: `/api/v1/audit?targetId=${started.id}&order=asc`,
        headers: viewer,
      })
    ).json<Page<{ action: string }>>();
    expect(audit.items.map((a) => a.action)).toEqual(['job.start', 'job.cancel', 'job.retry']);
  });

  it('pages through jobs newest first and filters by status and type', async () => {
    const type = `test.paged-${randomUUID().slice(0, 8)}`;
    const queue = t.server.app.get(JobQueue);
    queue.register(type, async (payload: { n: number }) => payload.n);
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) ids.push((await queue.enqueue('system', type, { n })).id);
    await waitFor('all to finish', async () => {
      const page = (
        await t.request({ method: 'GET', url: `/api/v1/jobs?type=${type}&status=succeeded`, headers: viewer })
      ).json<Page<Job>>();
      return page.total === 5;
    });
    const seen: Job[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `/api/v1/jobs?type=${type}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page: Page<Job> = (await t.request({ method: 'GET', url: query, headers: viewer })).json<
        Page<Job>
      >();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    // Every job exactly once, newest first; jobs created in the same millisecond follow their id.
    expect(seen.map((j) => j.id).sort()).toEqual([...ids].sort());
    const newestFirst = [...seen].sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
    );
    expect(seen.map((j) => j.id)).toEqual(newestFirst.map((j) => j.id));
    const failed = (
      await t.request({ method: 'GET', url: `/api/v1/jobs?type=${type}&status=failed`, headers: viewer })
    ).json<Page<Job>>();
    expect(failed.total).toBe(0);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/jobs?status=exploded', headers: viewer })).status,
    ).toBe(400);
  });

  it('lists job types and schedules for the console', async () => {
    const types = (await t.request({ method: 'GET', url: '/api/v1/jobs/types', headers: viewer })).json<{
      items: { type: string; startableFromApi: boolean }[];
    }>();
    expect(types.items).toContainEqual(
      expect.objectContaining({ type: 'system.diagnostics', startableFromApi: true }),
    );
    expect(types.items).toContainEqual(
      expect.objectContaining({ type: internalType, startableFromApi: false }),
    );
    const schedules = (
      await t.request({ method: 'GET', url: '/api/v1/jobs/schedules', headers: viewer })
    ).json<{
      items: { name: string; jobType: string; nextRunAt: string }[];
    }>();
    const hourly = schedules.items.find((s) => s.name === 'system.diagnostics.hourly');
    expect(hourly).toMatchObject({ jobType: 'system.diagnostics', cron: '0 * * * *' });
    expect(new Date(hourly?.nextRunAt ?? 0).getMinutes()).toBe(0);
    expect(
      (await t.request({ method: 'GET', url: '/api/v1/jobs/types', headers: customerUserA })).status,
    ).toBe(403);
  });
});
