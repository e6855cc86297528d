import type { JobLogLevel } from '@skyy/contracts';
import type { z } from 'zod';
import type { Caller } from '../http/caller.ts';

/**
 * Runs `fn` once per job: the first run stores its JSON result, and a later execution of the
 * same job (after a crash, a shutdown or a retry) gets the stored result back without running
 * `fn` again. The same shape as the step runner that components' apply functions accept.
 */
export type StepRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** What a handler gets besides its payload. */
export interface JobContext {
  readonly jobId: string;
  readonly type: string;
  /** 1 on the first execution; higher after a retry or a crash recovery. */
  readonly attempt: number;
  readonly customerId: string | null;
  /**
   * Aborted when someone cancels the job, when this worker shuts down, or when it lost the job
   * to another worker. Pass it on (fetch, child processes) and check it between units of work.
   */
  readonly signal: AbortSignal;
  /** A log line the console shows live; never put secrets in it. */
  log(level: JobLogLevel, message: string): Promise<void>;
  /** 0–100; values are rounded and clamped. */
  progress(percent: number): Promise<void>;
  step: StepRunner;
}

export type JobHandler<P = unknown, R = unknown> = (payload: P, ctx: JobContext) => Promise<R>;

export interface JobTypeOptions<P = unknown> {
  /** Validates (and defaults) the payload at enqueue time; invalid payloads are a 400. */
  payloadSchema?: z.ZodType<P>;
  /** Operators may start it with POST /api/v1/jobs. */
  startableFromApi?: boolean;
  description?: string;
  /**
   * Executions before the job is given up on. Crash recoveries count: a job that kills its
   * worker every time stops after this many tries instead of looping forever.
   */
  maxAttempts?: number;
}

export interface RegisteredJobType {
  type: string;
  handler: JobHandler;
  options: JobTypeOptions;
}

export interface EnqueueOptions {
  /** The tenant the job belongs to; its customer users see it. Defaults to a customer caller's own. */
  customerId?: string | null;
  /** While a job with this key is queued or running, enqueue returns that job instead of a new one. */
  dedupeKey?: string;
}

/** Tuning that differs between production and tests; everything has a sensible default. */
export interface QueueSettings {
  /** Jobs run at once per process. */
  concurrency: number;
  /** How long a claimed job stays ours without renewal (in-process adapter). */
  leaseMs: number;
  /** How often idle workers look for work they were not told about (other replicas, expired leases). */
  pollMs: number;
  /** How long stop() waits for running jobs before aborting them. */
  shutdownGraceMs: number;
  /** Redis key prefix for BullMQ and the event channel; tests use a unique one each. */
  redisPrefix: string;
  /** BullMQ lock duration: a worker that does not renew its lock this long is considered dead. */
  lockDurationMs: number;
  /** BullMQ stalled-job check interval. */
  stalledIntervalMs: number;
}

export const defaultQueueSettings: QueueSettings = {
  concurrency: 4,
  leaseMs: 30_000,
  pollMs: 1_000,
  shutdownGraceMs: 5_000,
  redisPrefix: 'skyy',
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
};

/** Who starts a job: a signed-in caller (audited) or the system itself (scheduler, start-up). */
export type JobActor = Caller | 'system';
