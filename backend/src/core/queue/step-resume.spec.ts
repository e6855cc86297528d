import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabases } from '../../../test/test-databases.ts';
import { JobsRepository } from './jobs.repository.ts';
import { openQueueKit, waitFor, type QueueKit } from './testing/queue-kit.ts';
import { spawnWorker, type WorkerProcess } from './testing/spawn-worker.ts';
import { registerThreeSteps, THREE_STEPS, type StepCounters } from './testing/three-step-job.ts';

describe.each(testDatabases())('multi-step jobs after a worker crash on %s', (dialect) => {
  let kit: QueueKit;
  let repo: JobsRepository;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    kit = await openQueueKit(dialect);
    repo = new JobsRepository(kit.db);
  });
  afterAll(async () => {
    await worker?.kill();
    await kit.close();
  });

  it('resumes at the first unfinished step on another worker, without re-running finished steps', async () => {
    const counters: StepCounters = { fetch: 0, reserve: 0, apply: 0 };
    const survivor = kit.newQueue();
    registerThreeSteps(survivor, counters, async () => 'applied by the survivor');
    const job = await survivor.enqueue('system', THREE_STEPS, {});

    // A separate process claims the job and dies (SIGKILL) inside its third step.
    worker = spawnWorker({ database: kit.databaseOptions, queue: { leaseMs: 1_000, pollMs: 50 } });
    await worker.ready;
    await waitFor(
      'the worker to reach the apply step',
      async () => (await repo.findStep(job.id, 'apply'))?.status === 'running',
    );
    const before = await repo.find(job.id, null);
    expect(before).toMatchObject({ status: 'running', attempts: 1, progress: 66 });
    expect(before?.locked_by).not.toBeNull();
    await worker.kill();

    await survivor.start();
    const row = await waitFor('the job to finish', async () => {
      const current = await repo.find(job.id, null);
      return current && ['succeeded', 'failed'].includes(current.status) && current;
    });
    expect(row.status).toBe('succeeded');
    expect(row.attempts).toBe(2);
    expect(row.locked_by).toBeNull();
    expect(JSON.parse(row.result ?? 'null')).toEqual({
      inventory: { hosts: ['puma-proxmox-001', 'puma-proxmox-002'] },
      ips: ['203.0.113.10', '203.0.113.11'],
      applied: 'applied by the survivor',
    });
    // Only the unfinished step ran here; the finished ones came back from the database.
    expect(counters).toEqual({ fetch: 0, reserve: 0, apply: 1 });
    expect((await repo.steps(job.id)).map((s) => [s.name, s.status, s.attempts])).toEqual([
      ['fetch-inventory', 'succeeded', 1],
      ['reserve-ips', 'succeeded', 1],
      ['apply', 'succeeded', 2],
    ]);
    const messages = (await repo.logs(job.id, 0, 100)).map((l) => l.message);
    expect(messages).toContain('started (attempt 2)');
    expect(messages).toContain(
      'step "fetch-inventory" already done in an earlier attempt; not running it again',
    );
    expect(messages).toContain('step "reserve-ips" already done in an earlier attempt; not running it again');
    await survivor.stop();
  });

  it('resumes a failed multi-step job at its failed step when retried', async () => {
    const counters: StepCounters = { fetch: 0, reserve: 0, apply: 0 };
    let failApply = true;
    const queue = kit.newQueue();
    registerThreeSteps(queue, counters, async () => {
      if (failApply) throw new Error('pfSense refused the change');
      return 'applied on retry';
    });
    // The first test's worker is stopped: only this queue's handler runs the job.
    await queue.start();
    const job = await queue.enqueue('system', THREE_STEPS, {});
    const failed = await waitFor('the job to fail', async () => {
      const row = await repo.find(job.id, null);
      return row?.status === 'failed' && row;
    });
    expect(failed.error).toBe('pfSense refused the change');
    expect(counters).toEqual({ fetch: 1, reserve: 1, apply: 1 });

    failApply = false;
    await queue.retry('system', job.id);
    const row = await waitFor('the retry to finish', async () => {
      const current = await repo.find(job.id, null);
      return current?.status === 'succeeded' && current;
    });
    expect(JSON.parse(row.result ?? 'null')).toMatchObject({ applied: 'applied on retry' });
    expect(counters).toEqual({ fetch: 1, reserve: 1, apply: 2 });
  });
});
