import type { JobLogLevel } from '@skyy/contracts';
import type { Logger } from 'pino';
import type { EventBus } from '../events/event-bus.ts';
import {
  jobLogEvent,
  jobProgressEvent,
  jobStatusEvent,
  jobStepEvent,
  type JobIdentity,
} from './job-events.ts';
import { jobDurationSeconds, jobsRunning, jobsTotal } from './job-metrics.ts';
import type { JobContext, RegisteredJobType } from './job-types.ts';
import type { JobsRepository } from './jobs.repository.ts';
import type { JobsTable } from './jobs.table.ts';

/** Why a running job's signal was aborted; the reason decides what happens to its row. */
export class JobCancelledError extends Error {
  constructor() {
    super('the job was cancelled');
    this.name = 'JobCancelledError';
  }
}
export class WorkerShutdownError extends Error {
  constructor() {
    super('the worker is shutting down; the job will resume on another worker');
    this.name = 'WorkerShutdownError';
  }
}
export class LeaseLostError extends Error {
  constructor() {
    super('another worker took this job over');
    this.name = 'LeaseLostError';
  }
}

/** done: the row holds the outcome. released: back in the queue (shutdown). lost: another worker has it. */
export type RunOutcome = 'done' | 'released' | 'lost';

export interface JobRunnerDeps {
  repo: JobsRepository;
  events: EventBus;
  logger: Logger;
  workerId: string;
  /** Read at use: settings may be adjusted after construction, before workers start. */
  leaseMs(): number;
  handlerFor(type: string): RegisteredJobType | undefined;
}

const MAX_MESSAGE = 10_000;

/**
 * Executes claimed jobs for either adapter: the handler's context (logs, progress, steps,
 * abort signal), the lease heartbeat that also notices cancel requests from other replicas,
 * and the row's final state, events and metrics.
 */
export class JobRunner {
  private readonly running = new Map<string, AbortController>();

  constructor(private readonly deps: JobRunnerDeps) {}

  get activeCount(): number {
    return this.running.size;
  }

  /** Aborts a job running in this process (the owner of a cancel request sees it at once). */
  abort(jobId: string, reason: Error): boolean {
    const controller = this.running.get(jobId);
    if (!controller) return false;
    controller.abort(reason);
    return true;
  }

  abortAll(reason: Error): void {
    for (const controller of this.running.values()) controller.abort(reason);
  }

  async run(row: JobsTable): Promise<RunOutcome> {
    const job: JobIdentity = { id: row.id, type: row.type, customerId: row.customer_id };
    const registered = this.deps.handlerFor(row.type);
    if (!registered) {
      return this.end(row, 'failed', { error: `no handler for job type "${row.type}" on this worker` });
    }
    if (row.cancel_requested) {
      return this.end(row, 'cancelled', { message: 'cancelled before this attempt started' });
    }
    if (row.attempts > row.max_attempts) {
      return this.end(row, 'failed', {
        error: `gave up after ${row.max_attempts} attempt(s): the worker running it stopped each time`,
      });
    }

    const controller = new AbortController();
    this.running.set(row.id, controller);
    jobsRunning.inc();
    const stopTimer = jobDurationSeconds.startTimer({ type: row.type });
    const heartbeat = setInterval(
      () => void this.renew(row.id, controller),
      Math.max(50, this.deps.leaseMs() / 3),
    );
    try {
      await this.publish(jobStatusEvent(row));
      const ctx = this.context(row, job, controller.signal);
      await ctx.log('info', row.attempts > 1 ? `started (attempt ${row.attempts})` : 'started');
      let result: unknown;
      try {
        result = await registered.handler(JSON.parse(row.payload) as unknown, ctx);
      } catch (error) {
        return await this.afterFailure(row, controller.signal, error);
      }
      let json: string;
      try {
        json = JSON.stringify(result ?? null);
      } catch (error) {
        return this.end(row, 'failed', { error: `its result is not JSON: ${messageOf(error)}` });
      }
      return await this.end(row, 'succeeded', { result: json, progress: 100, message: 'succeeded' });
    } finally {
      clearInterval(heartbeat);
      stopTimer();
      jobsRunning.dec();
      this.running.delete(row.id);
    }
  }

  private async afterFailure(row: JobsTable, signal: AbortSignal, error: unknown): Promise<RunOutcome> {
    const reason: unknown = signal.aborted ? signal.reason : null;
    if (reason instanceof LeaseLostError) return 'lost';
    if (reason instanceof JobCancelledError) {
      return this.end(row, 'cancelled', { message: 'cancelled' });
    }
    if (reason instanceof WorkerShutdownError) {
      await this.log(row, 'warn', 'this worker is shutting down; the job goes back to the queue');
      const released = await this.deps.repo.release(row.id, this.deps.workerId);
      if (!released) return 'lost';
      await this.publish(jobStatusEvent(released));
      return 'released';
    }
    return this.end(row, 'failed', { error: messageOf(error) });
  }

  private async end(
    row: JobsTable,
    status: 'succeeded' | 'failed' | 'cancelled',
    detail: { result?: string; error?: string; progress?: number; message?: string },
  ): Promise<RunOutcome> {
    if (detail.error) await this.log(row, 'error', `failed: ${detail.error}`);
    else if (detail.message) await this.log(row, 'info', detail.message);
    const finished = await this.deps.repo.finish(row.id, this.deps.workerId, {
      status,
      result: detail.result ?? null,
      error: detail.error ? truncate(detail.error) : null,
      ...(detail.progress !== undefined ? { progress: detail.progress } : {}),
    });
    if (!finished) {
      this.deps.logger.warn(
        { jobId: row.id },
        'job finished after another worker took it over; outcome dropped',
      );
      return 'lost';
    }
    jobsTotal.inc({ type: row.type, status });
    await this.publish(jobStatusEvent(finished));
    return 'done';
  }

  private async renew(jobId: string, controller: AbortController): Promise<void> {
    try {
      const state = await this.deps.repo.heartbeat(jobId, this.deps.workerId, this.deps.leaseMs());
      if (!state) controller.abort(new LeaseLostError());
      else if (state.cancelRequested && !controller.signal.aborted) controller.abort(new JobCancelledError());
    } catch (error) {
      // A database hiccup: the lease is long enough for the next heartbeat to succeed.
      this.deps.logger.warn({ err: error, jobId }, 'job heartbeat failed');
    }
  }

  private context(row: JobsTable, job: JobIdentity, signal: AbortSignal): JobContext {
    const { repo, workerId } = this.deps;
    let lastProgress = Number(row.progress);
    return {
      jobId: row.id,
      type: row.type,
      attempt: Number(row.attempts),
      customerId: row.customer_id,
      signal,
      log: (level, message) => this.log(row, level, message),
      progress: async (percent) => {
        const value = Math.max(0, Math.min(100, Math.round(Number.isFinite(percent) ? percent : 0)));
        if (value === lastProgress) return;
        lastProgress = value;
        if (await repo.setProgress(row.id, workerId, value)) await this.publish(jobProgressEvent(job, value));
      },
      step: async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
        signal.throwIfAborted();
        const done = await repo.findStep(row.id, name);
        if (done?.status === 'succeeded') {
          await this.log(
            row,
            'info',
            `step "${name}" already done in an earlier attempt; not running it again`,
          );
          return (JSON.parse(done.result ?? '{}') as { value: T }).value;
        }
        await repo.startStep(row.id, name);
        await this.publish(jobStepEvent(job, name, 'running'));
        let value: T;
        try {
          value = await fn();
        } catch (error) {
          await repo.finishStep(row.id, name, { status: 'failed', error: truncate(messageOf(error)) });
          await this.publish(jobStepEvent(job, name, 'failed'));
          throw error;
        }
        await repo.finishStep(row.id, name, { status: 'succeeded', result: JSON.stringify({ value }) });
        await this.publish(jobStepEvent(job, name, 'succeeded'));
        return value;
      },
    };
  }

  private async log(row: JobsTable, level: JobLogLevel, message: string): Promise<void> {
    const line = await this.deps.repo.appendLog(row.id, level, truncate(message));
    this.deps.logger.debug({ jobId: row.id, type: row.type, level }, line.message);
    await this.publish(jobLogEvent({ id: row.id, type: row.type, customerId: row.customer_id }, line));
  }

  /** Live events are best effort: a dropped event never fails the job. */
  private async publish(event: Parameters<EventBus['publish']>[0]): Promise<void> {
    try {
      await this.deps.events.publish(event);
    } catch (error) {
      this.deps.logger.warn({ err: error, type: event.type }, 'could not publish a live event');
    }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
