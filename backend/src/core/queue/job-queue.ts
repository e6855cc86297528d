import { randomBytes, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { formatPath, type Job, type JobTypeInfo } from '@skyy/contracts';
import type { Logger } from 'pino';
import type { AuditService } from '../../app/audit/audit.service.ts';
import { now, type Db } from '../database/database.ts';
import { Conflict, NotFound, ValidationFailed } from '../errors/problems.ts';
import type { EventBus } from '../events/event-bus.ts';
import { scopeFor } from '../http/access-scope.ts';
import type { Caller } from '../http/caller.ts';
import { jobStatusEvent } from './job-events.ts';
import { JobCancelledError, JobRunner } from './job-runner.ts';
import type {
  EnqueueOptions,
  JobActor,
  JobHandler,
  JobTypeOptions,
  QueueSettings,
  RegisteredJobType,
} from './job-types.ts';
import { JobsRepository, toJob } from './jobs.repository.ts';
import { isUniqueViolation } from '../database/db-errors.ts';
import type { JobsTable } from './jobs.table.ts';

export type AuditRecorder = Pick<AuditService, 'record'>;

export interface JobQueueDeps {
  db: Db;
  events: EventBus;
  logger: Logger;
  audit: AuditRecorder;
  settings: QueueSettings;
}

const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The job system's port, and the Nest token other modules inject. Every job is a row (what
 * the console reads); an adapter decides how rows reach workers: polling with leases in this
 * process and its database peers, or BullMQ on Redis. Handlers are registered by every
 * replica at start-up, so any worker can run any job.
 */
export abstract class JobQueue {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  protected readonly repo: JobsRepository;
  protected readonly runner: JobRunner;
  private readonly types = new Map<string, RegisteredJobType>();

  constructor(protected readonly deps: JobQueueDeps) {
    this.repo = new JobsRepository(deps.db);
    this.runner = new JobRunner({
      repo: this.repo,
      events: deps.events,
      logger: deps.logger,
      workerId: this.workerId,
      leaseMs: () => this.leaseMs(),
      handlerFor: (type) => this.types.get(type),
    });
  }

  /** Starts this process's workers (role worker or all). */
  abstract start(): Promise<void>;
  /** Stops taking jobs; running ones get shutdownGraceMs to finish, then go back to the queue. */
  abstract stop(): Promise<void>;
  /** Hands a committed queued row to the workers. */
  protected abstract dispatch(row: JobsTable): Promise<void>;
  /** A queued job was cancelled; adapters drop their copy. */
  protected abstract discard(row: JobsTable): Promise<void>;
  /** How long a job stays with its worker without renewal. */
  protected abstract leaseMs(): number;

  register<P>(type: string, handler: JobHandler<P>, options: JobTypeOptions<P> = {}): void {
    if (this.types.has(type)) throw new Error(`job type "${type}" is registered twice`);
    this.types.set(type, { type, handler: handler as JobHandler, options: options as JobTypeOptions });
  }

  jobType(type: string): RegisteredJobType | undefined {
    return this.types.get(type);
  }

  jobTypes(): JobTypeInfo[] {
    return [...this.types.values()]
      .map((t) => ({
        type: t.type,
        description: t.options.description ?? null,
        startableFromApi: t.options.startableFromApi === true,
      }))
      .sort((a, b) => a.type.localeCompare(b.type));
  }

  protected registeredTypeNames(): string[] {
    return [...this.types.keys()];
  }

  /**
   * Records a job and hands it to the workers. The payload is validated by the type's schema
   * (400 on failure). With a dedupe key, a job already queued or running under it is returned.
   */
  async enqueue(actor: JobActor, type: string, payload: unknown, options: EnqueueOptions = {}): Promise<Job> {
    const registered = this.types.get(type);
    if (!registered) throw new Error(`unknown job type "${type}": register it before enqueueing`);
    const parsed = registered.options.payloadSchema
      ? registered.options.payloadSchema.safeParse(payload)
      : { success: true as const, data: payload };
    if (!parsed.success) {
      throw new ValidationFailed(
        parsed.error.issues.map((i) => ({ path: formatPath(['payload', ...i.path]), message: i.message })),
        `The payload of a "${type}" job has invalid fields.`,
      );
    }
    const caller = actor === 'system' ? null : actor;
    const customerId = this.customerFor(caller, options.customerId);
    const stamp = now();
    const row: JobsTable = {
      id: randomUUID(),
      type,
      status: 'queued',
      progress: 0,
      payload: JSON.stringify(parsed.data ?? null),
      result: null,
      error: null,
      created_by: caller?.userId ?? null,
      customer_id: customerId,
      dedupe_key: options.dedupeKey ?? null,
      attempts: 0,
      max_attempts: registered.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      cancel_requested: 0,
      locked_by: null,
      lease_expires_at: null,
      created_at: stamp,
      started_at: null,
      finished_at: null,
      updated_at: stamp,
    };
    let existing: JobsTable | undefined;
    try {
      existing = await this.deps.db.kysely.transaction().execute(async (tx) => {
        if (row.dedupe_key) {
          const active = await this.repo.findActiveByDedupeKey(row.dedupe_key, tx);
          if (active) return active;
        }
        await this.repo.insert(row, tx);
        if (caller) {
          await this.deps.audit.record(
            caller,
            'job.start',
            { type: 'job', id: row.id, customerId },
            { jobType: type, payload: parsed.data },
            tx,
          );
        }
        return undefined;
      });
    } catch (error) {
      // Another replica inserted the same dedupe key between our check and our insert.
      if (!row.dedupe_key || !isUniqueViolation(error)) throw error;
      existing = await this.repo.findActiveByDedupeKey(row.dedupe_key);
      if (!existing) throw error;
    }
    if (existing) return toJob(existing);
    await this.afterEnqueue(row);
    return toJob(row);
  }

  /** For the scheduler: the row was inserted in its tick transaction; publish and dispatch it. */
  protected async afterEnqueue(row: JobsTable): Promise<void> {
    await this.publish(row);
    try {
      await this.dispatch(row);
    } catch (error) {
      // The row is the record: a later sweep (BullMQ) or poll (in-process) still runs it.
      this.deps.logger.warn({ err: error, jobId: row.id }, 'could not hand the job to the workers yet');
    }
  }

  /** Builds a queued row for the scheduler, which inserts it in its own transaction. */
  newSystemRow(type: string, payload: unknown, dedupeKey: string | null): JobsTable {
    const registered = this.types.get(type);
    if (!registered) throw new Error(`unknown job type "${type}": register it before scheduling it`);
    const data = registered.options.payloadSchema ? registered.options.payloadSchema.parse(payload) : payload;
    const stamp = now();
    return {
      id: randomUUID(),
      type,
      status: 'queued',
      progress: 0,
      payload: JSON.stringify(data ?? null),
      result: null,
      error: null,
      created_by: null,
      customer_id: null,
      dedupe_key: dedupeKey,
      attempts: 0,
      max_attempts: registered.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      cancel_requested: 0,
      locked_by: null,
      lease_expires_at: null,
      created_at: stamp,
      started_at: null,
      finished_at: null,
      updated_at: stamp,
    };
  }

  /** Called by the scheduler once its tick transaction committed. */
  async scheduled(row: JobsTable): Promise<void> {
    await this.afterEnqueue(row);
  }

  /** A job as `actor` may see it (customer users: only their customer's). */
  async get(actor: JobActor, id: string): Promise<Job | undefined> {
    const row = await this.repo.find(id, this.scope(actor));
    return row && toJob(row);
  }

  /** Queued jobs are cancelled at once; running ones are asked to stop through their signal. */
  async cancel(actor: JobActor, id: string): Promise<Job> {
    const caller = actor === 'system' ? null : actor;
    const { row, wasQueued } = await this.deps.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, this.scope(actor), tx);
      if (!before) throw new NotFound('Job');
      const updated =
        before.status === 'queued'
          ? await this.repo.cancelQueued(id, tx)
          : before.status === 'running'
            ? await this.repo.requestCancel(id, tx)
            : undefined;
      if (!updated)
        throw new Conflict(
          `The job has already ${before.status === 'cancelled' ? 'been cancelled' : before.status}.`,
        );
      if (caller) {
        await this.deps.audit.record(
          caller,
          'job.cancel',
          { type: 'job', id, customerId: before.customer_id },
          { jobType: before.type, status: before.status },
          tx,
        );
      }
      return { row: updated, wasQueued: before.status === 'queued' };
    });
    const who = caller ? caller.username : 'the system';
    if (wasQueued) {
      await this.repo.appendLog(id, 'info', `cancelled by ${who} before it started`);
      await this.publish(row);
      await this.discard(row).catch((error: unknown) =>
        this.deps.logger.warn({ err: error, jobId: id }, 'could not drop the cancelled job from the queue'),
      );
    } else {
      await this.repo.appendLog(id, 'info', `cancel requested by ${who}`);
      // Same process: stop now. Elsewhere: the owner's next heartbeat sees cancel_requested.
      this.runner.abort(id, new JobCancelledError());
    }
    return toJob(row);
  }

  /** Failed or cancelled jobs run again; steps that succeeded before are not repeated. */
  async retry(actor: JobActor, id: string): Promise<Job> {
    const caller = actor === 'system' ? null : actor;
    const row = await this.deps.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, this.scope(actor), tx);
      if (!before) throw new NotFound('Job');
      if (!this.types.has(before.type)) throw new Conflict(`Job type "${before.type}" no longer exists.`);
      const updated = await this.repo.requeue(id, tx);
      if (!updated)
        throw new Conflict(`Only failed or cancelled jobs can be retried; this one is ${before.status}.`);
      if (caller) {
        await this.deps.audit.record(
          caller,
          'job.retry',
          { type: 'job', id, customerId: before.customer_id },
          { jobType: before.type, previousStatus: before.status, previousError: before.error },
          tx,
        );
      }
      return updated;
    });
    await this.repo.appendLog(id, 'info', `retry requested by ${caller ? caller.username : 'the system'}`);
    await this.afterEnqueue(row);
    return toJob(row);
  }

  private scope(actor: JobActor): string | null {
    return actor === 'system' ? null : scopeFor(actor).customerId;
  }

  private customerFor(caller: Caller | null, requested: string | null | undefined): string | null {
    if (caller?.role === 'customer') {
      const own = scopeFor(caller).customerId;
      if (requested !== undefined && requested !== null && requested !== own) {
        throw new NotFound('Customer');
      }
      return own;
    }
    return requested ?? null;
  }

  protected async publish(row: JobsTable): Promise<void> {
    try {
      await this.deps.events.publish(jobStatusEvent(row));
    } catch (error) {
      this.deps.logger.warn({ err: error, jobId: row.id }, 'could not publish a live event');
    }
  }
}
