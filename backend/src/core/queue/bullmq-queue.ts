import { setTimeout as sleep } from 'node:timers/promises';
import { Queue, WaitingError, Worker, type Job as BullJob } from 'bullmq';
import { Redis } from 'ioredis';
import { now } from '../database/database.ts';
import { jobStatusEvent } from './job-events.ts';
import { messageOf, WorkerShutdownError } from './job-runner.ts';
import { JobQueue, type JobQueueDeps } from './job-queue.ts';
import type { JobsTable } from './jobs.table.ts';

interface BullPayload {
  jobId: string;
}

const QUEUE_NAME = 'jobs';
const DISPATCH_TIMEOUT_MS = 5_000;

/**
 * Scale-out adapter: BullMQ carries execution. Its lock and stalled-job check re-run a job
 * whose worker died on another worker; the database row mirrors status, progress, logs and
 * steps for the console. The BullMQ job id is the row id, and BullMQ forgets a job as soon as
 * it ends, so a retry can hand the same id over again.
 */
export class BullMqJobQueue extends JobQueue {
  private redis: Redis | null = null;
  private lastRedisError = 0;
  private queue: Queue<BullPayload> | null = null;
  private worker: Worker<BullPayload> | null = null;
  private sweeper: NodeJS.Timeout | null = null;
  private started = false;
  private stopping = false;

  constructor(
    deps: JobQueueDeps,
    private readonly redisUrl: string,
  ) {
    super(deps);
  }

  protected leaseMs(): number {
    return this.deps.settings.lockDurationMs;
  }

  /**
   * Our own connection, shared by the BullMQ queue and worker. BullMQ leaves a shared
   * connection to its owner, so stop() can drop it at once even while Redis is unreachable
   * (quitting would wait for a server that is not there). BullMQ needs unlimited retries.
   */
  private connection(): Redis {
    if (!this.redis) {
      this.redis = new Redis(this.redisUrl, { maxRetriesPerRequest: null });
      this.redis.on('error', (error: Error) => this.redisError(error));
    }
    return this.redis;
  }

  /** Redis being down is logged once a minute, not on every reconnect attempt. */
  private redisError(error: Error): void {
    const at = Date.now();
    if (at - this.lastRedisError < 60_000) return;
    this.lastRedisError = at;
    this.deps.logger.warn({ err: error.message }, 'job queue: Redis connection error');
  }

  private bullQueue(): Queue<BullPayload> {
    if (!this.queue) {
      this.queue = new Queue<BullPayload>(QUEUE_NAME, {
        connection: this.connection(),
        prefix: this.deps.settings.redisPrefix,
      });
      this.queue.on('error', (error) => this.redisError(error));
    }
    return this.queue;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    const connection = this.connection();
    // The worker is created once Redis answers: a BullMQ worker that never connected cannot be closed.
    if (connection.status === 'ready') this.startWorker();
    else connection.once('ready', () => this.startWorker());
    const sweepMs = Math.max(this.deps.settings.pollMs * 5, 1_000);
    this.sweeper = setInterval(() => void this.sweep(sweepMs), sweepMs);
    this.sweeper.unref();
  }

  private startWorker(): void {
    if (this.stopping || this.worker) return;
    const { settings } = this.deps;
    this.worker = new Worker<BullPayload>(QUEUE_NAME, (job, token) => this.process(job, token), {
      connection: this.connection(),
      prefix: settings.redisPrefix,
      concurrency: settings.concurrency,
      lockDuration: settings.lockDurationMs,
      stalledInterval: settings.stalledIntervalMs,
      // A job is recovered from a dead worker this many times; the row's own attempt limit also applies.
      maxStalledCount: 5,
    });
    this.worker.on('error', (error) => this.redisError(error));
    // BullMQ gave up on a job without our processor finishing it (stalled too often): mirror that.
    this.worker.on('failed', (job, error) => {
      if (job && error.name !== 'WaitingError') void this.markFailed(job.data.jobId, error.message);
    });
  }

  /** Every wait is bounded: shutdown must finish even when Redis went away. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.started = false;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = null;
    const worker = this.worker;
    this.worker = null;
    if (worker) {
      // close() stops fetching and waits for running jobs; after the grace period they are told to yield.
      const closing = worker.close().catch(() => undefined);
      await Promise.race([closing, sleep(this.deps.settings.shutdownGraceMs, undefined, { ref: false })]);
      if (this.runner.activeCount > 0) this.runner.abortAll(new WorkerShutdownError());
      const closed = await Promise.race([closing.then(() => true), sleep(5_000, false, { ref: false })]);
      if (!closed)
        await Promise.race([
          worker.close(true).catch(() => undefined),
          sleep(1_000, undefined, { ref: false }),
        ]);
    }
    const queue = this.queue;
    this.queue = null;
    if (queue)
      await Promise.race([queue.close().catch(() => undefined), sleep(1_000, undefined, { ref: false })]);
    this.redis?.disconnect();
    this.redis = null;
  }

  protected async dispatch(row: JobsTable): Promise<void> {
    const added = this.bullQueue().add(
      row.type,
      { jobId: row.id },
      {
        jobId: row.id,
        attempts: 1,
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
    await Promise.race([
      added,
      sleep(DISPATCH_TIMEOUT_MS, undefined, { ref: false }).then(() => {
        throw new Error('Redis did not accept the job in time; a sweep will hand it over later');
      }),
    ]);
  }

  protected async discard(row: JobsTable): Promise<void> {
    const job = await this.bullQueue().getJob(row.id);
    if (job && (await job.isWaiting())) await job.remove();
  }

  private async process(job: BullJob<BullPayload>, token: string | undefined): Promise<null> {
    const row = await this.repo.claimById(job.data.jobId, this.workerId, this.leaseMs());
    // Cancelled or finished meanwhile: nothing to run.
    if (!row) return null;
    const outcome = await this.runner.run(row);
    if (outcome === 'released') {
      // Shutting down mid-job: hand the job back to BullMQ for another worker to resume.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    return null;
  }

  private async markFailed(jobId: string, reason: string): Promise<void> {
    try {
      const row = await this.repo.failActive(jobId, `the job queue gave up on it: ${reason}`);
      if (row) await this.deps.events.publish(jobStatusEvent(row));
    } catch (error) {
      this.deps.logger.warn({ err: error, jobId }, 'could not record a job BullMQ failed');
    }
  }

  /**
   * Rows still queued after a while are handed to BullMQ again: Redis was down when they were
   * enqueued, or a replica died between the commit and the hand-over. Adding an id BullMQ
   * already holds is a no-op, so this never runs a job twice.
   */
  private async sweep(ageMs: number): Promise<void> {
    if (this.stopping) return;
    try {
      const cutoff = new Date(Date.parse(now()) - ageMs).toISOString();
      for (const row of await this.repo.queuedBefore(cutoff)) {
        if (this.stopping) return;
        await this.dispatch(row);
      }
    } catch (error) {
      this.deps.logger.warn({ err: messageOf(error) }, 'sweeping queued jobs failed');
    }
  }
}
