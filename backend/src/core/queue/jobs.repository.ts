import { isUniqueViolation } from '../database/db-errors.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type { Job, JobListQuery, JobLog, JobLogLevel, JobStep, Page } from '@skyy/contracts';
import { sql } from 'kysely';
import { fromFlag, now, type Db, type Executor } from '../database/database.ts';
import { keyset, toPage } from '../database/pagination.ts';
import { DB } from '../tokens.ts';
import type { JobStepsTable, JobsTable, ScheduleRunsTable } from './jobs.table.ts';

const ACTIVE = ['queued', 'running'] as const;

/** Every SQL statement of the job system: jobs, their logs and steps, and schedule ticks. */
@Injectable()
export class JobsRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async insert(row: JobsTable, tx: Executor = this.db.kysely): Promise<void> {
    await tx.insertInto('jobs').values(row).execute();
  }

  async find(
    id: string,
    customerId: string | null,
    tx: Executor = this.db.kysely,
  ): Promise<JobsTable | undefined> {
    let q = tx.selectFrom('jobs').selectAll().where('id', '=', id);
    if (customerId) q = q.where('customer_id', '=', customerId);
    return q.executeTakeFirst();
  }

  async findActiveByDedupeKey(key: string, tx: Executor = this.db.kysely): Promise<JobsTable | undefined> {
    return tx
      .selectFrom('jobs')
      .selectAll()
      .where('dedupe_key', '=', key)
      .where('status', 'in', ACTIVE)
      .executeTakeFirst();
  }

  async customerExists(id: string): Promise<boolean> {
    const row = await this.db.kysely
      .selectFrom('customers')
      .select('id')
      .where('id', '=', id)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Tenant isolation lives here: a customer scope adds `customer_id = ?` to both queries. */
  async page(query: JobListQuery & { customerId: string | null }): Promise<Page<Job>> {
    let base = this.db.kysely.selectFrom('jobs');
    if (query.customerId) base = base.where('customer_id', '=', query.customerId);
    if (query.status) base = base.where('status', '=', query.status);
    if (query.type) base = base.where('type', '=', query.type);
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'jobs', 'created_at', query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r.created_at, toJob, Number(count.n));
  }

  /**
   * Takes the oldest job that is queued, or running under a lease that has expired (its worker
   * died). The status and lease conditions are checked again by the UPDATE itself, so two
   * workers racing for the same row cannot both win: on PostgreSQL the loser re-evaluates them
   * against the committed row, and SKIP LOCKED lets it move on to the next row instead of waiting.
   */
  async claimNext(workerId: string, types: string[], leaseMs: number): Promise<JobsTable | undefined> {
    if (types.length === 0) return undefined;
    const stamp = now();
    const claimable = sql<boolean>`(status = 'queued' or (status = 'running' and lease_expires_at < ${stamp}))`;
    let candidate = this.db.kysely
      .selectFrom('jobs')
      .select('id')
      .where(claimable)
      .where('type', 'in', types)
      .orderBy('created_at')
      .orderBy('id')
      .limit(1);
    if (this.db.dialect === 'postgres') candidate = candidate.forUpdate().skipLocked();
    return this.db.kysely
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        locked_by: workerId,
        lease_expires_at: leaseUntil(leaseMs),
        attempts: eb('attempts', '+', 1),
        started_at: stamp,
        updated_at: stamp,
      }))
      .where('id', '=', candidate)
      .where(claimable)
      .returningAll()
      .executeTakeFirst();
  }

  /**
   * BullMQ decided this worker runs the job (first run, or a stalled job it recovered): take
   * the row over whoever held it. A cancelled or finished row is left alone.
   */
  async claimById(id: string, workerId: string, leaseMs: number): Promise<JobsTable | undefined> {
    const stamp = now();
    return this.db.kysely
      .updateTable('jobs')
      .set((eb) => ({
        status: 'running',
        locked_by: workerId,
        lease_expires_at: leaseUntil(leaseMs),
        attempts: eb('attempts', '+', 1),
        started_at: stamp,
        updated_at: stamp,
      }))
      .where('id', '=', id)
      .where('status', 'in', ACTIVE)
      .returningAll()
      .executeTakeFirst();
  }

  /** Extends the lease; undefined means the job is no longer ours (taken over, cancelled while queued…). */
  async heartbeat(
    id: string,
    workerId: string,
    leaseMs: number,
  ): Promise<{ cancelRequested: boolean } | undefined> {
    const row = await this.db.kysely
      .updateTable('jobs')
      .set({ lease_expires_at: leaseUntil(leaseMs), updated_at: now() })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .returning('cancel_requested')
      .executeTakeFirst();
    return row && { cancelRequested: fromFlag(row.cancel_requested) };
  }

  async setProgress(id: string, workerId: string, progress: number): Promise<boolean> {
    const result = await this.db.kysely
      .updateTable('jobs')
      .set({ progress, updated_at: now() })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records the outcome, only if this worker still holds the job. */
  async finish(
    id: string,
    workerId: string,
    outcome: {
      status: 'succeeded' | 'failed' | 'cancelled';
      result?: string | null;
      error?: string | null;
      progress?: number;
    },
  ): Promise<JobsTable | undefined> {
    const stamp = now();
    return this.db.kysely
      .updateTable('jobs')
      .set({
        status: outcome.status,
        result: outcome.result ?? null,
        error: outcome.error ?? null,
        ...(outcome.progress !== undefined ? { progress: outcome.progress } : {}),
        locked_by: null,
        lease_expires_at: null,
        finished_at: stamp,
        updated_at: stamp,
      })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
  }

  /** A job this worker gave up because it is shutting down goes back to the queue, steps kept. */
  async release(id: string, workerId: string): Promise<JobsTable | undefined> {
    return this.db.kysely
      .updateTable('jobs')
      .set({ status: 'queued', locked_by: null, lease_expires_at: null, updated_at: now() })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
  }

  /** Ends a job whoever holds it (BullMQ gave up on it, or it has no handler anywhere). */
  async failActive(id: string, error: string): Promise<JobsTable | undefined> {
    const stamp = now();
    return this.db.kysely
      .updateTable('jobs')
      .set({
        status: 'failed',
        error,
        locked_by: null,
        lease_expires_at: null,
        finished_at: stamp,
        updated_at: stamp,
      })
      .where('id', '=', id)
      .where('status', 'in', ACTIVE)
      .returningAll()
      .executeTakeFirst();
  }

  async cancelQueued(id: string, tx: Executor = this.db.kysely): Promise<JobsTable | undefined> {
    const stamp = now();
    return tx
      .updateTable('jobs')
      .set({ status: 'cancelled', cancel_requested: 1, finished_at: stamp, updated_at: stamp })
      .where('id', '=', id)
      .where('status', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
  }

  async requestCancel(id: string, tx: Executor = this.db.kysely): Promise<JobsTable | undefined> {
    return tx
      .updateTable('jobs')
      .set({ cancel_requested: 1, updated_at: now() })
      .where('id', '=', id)
      .where('status', '=', 'running')
      .returningAll()
      .executeTakeFirst();
  }

  /** Failed or cancelled → queued again; finished steps stay finished so the retry resumes. */
  async requeue(id: string, tx: Executor = this.db.kysely): Promise<JobsTable | undefined> {
    return tx
      .updateTable('jobs')
      .set({
        status: 'queued',
        error: null,
        result: null,
        cancel_requested: 0,
        locked_by: null,
        lease_expires_at: null,
        finished_at: null,
        updated_at: now(),
      })
      .where('id', '=', id)
      .where('status', 'in', ['failed', 'cancelled'])
      .returningAll()
      .executeTakeFirst();
  }

  /** Queued rows older than `before`: the BullMQ adapter re-dispatches any that Redis lost. */
  async queuedBefore(before: string, limit = 100): Promise<JobsTable[]> {
    return this.db.kysely
      .selectFrom('jobs')
      .selectAll()
      .where('status', '=', 'queued')
      .where('updated_at', '<', before)
      .orderBy('created_at')
      .limit(limit)
      .execute();
  }

  /**
   * Appends a log line with the next sequence number. Two writers (the worker and an operator's
   * cancel) can race for the same number; the loser reads the new maximum and tries again.
   */
  async appendLog(jobId: string, level: JobLogLevel, message: string): Promise<JobLog> {
    for (let attempt = 0; ; attempt++) {
      const last = await this.db.kysely
        .selectFrom('job_logs')
        .select((eb) => eb.fn.max<number | null>('seq').as('seq'))
        .where('job_id', '=', jobId)
        .executeTakeFirst();
      const row = { job_id: jobId, seq: Number(last?.seq ?? 0) + 1, at: now(), level, message };
      try {
        await this.db.kysely.insertInto('job_logs').values(row).execute();
        return { seq: row.seq, at: row.at, level, message };
      } catch (error) {
        if (attempt >= 20 || !isUniqueViolation(error)) throw error;
        // Parallel steps of one job log at once and took the same seq: try again after a random pause.
        await sleep(Math.random() * 5 * (attempt + 1));
      }
    }
  }

  async logs(jobId: string, after: number, limit: number): Promise<JobLog[]> {
    const rows = await this.db.kysely
      .selectFrom('job_logs')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      seq: Number(r.seq),
      at: r.at,
      level: r.level as JobLogLevel,
      message: r.message,
    }));
  }

  async findStep(jobId: string, name: string): Promise<JobStepsTable | undefined> {
    return this.db.kysely
      .selectFrom('job_steps')
      .selectAll()
      .where('job_id', '=', jobId)
      .where('name', '=', name)
      .executeTakeFirst();
  }

  /** Marks a step running: inserted at the next position the first time, re-armed on a rerun. */
  async startStep(jobId: string, name: string): Promise<void> {
    const stamp = now();
    const count = await this.db.kysely
      .selectFrom('job_steps')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('job_id', '=', jobId)
      .executeTakeFirstOrThrow();
    await this.db.kysely
      .insertInto('job_steps')
      .values({
        job_id: jobId,
        name,
        position: Number(count.n) + 1,
        status: 'running',
        result: null,
        error: null,
        attempts: 1,
        started_at: stamp,
        finished_at: null,
      })
      .onConflict((oc) =>
        oc.columns(['job_id', 'name']).doUpdateSet((eb) => ({
          status: 'running',
          error: null,
          attempts: eb(eb.ref('job_steps.attempts'), '+', 1),
          started_at: stamp,
          finished_at: null,
        })),
      )
      .execute();
  }

  async finishStep(
    jobId: string,
    name: string,
    outcome: { status: 'succeeded'; result: string } | { status: 'failed'; error: string },
  ): Promise<void> {
    await this.db.kysely
      .updateTable('job_steps')
      .set({
        status: outcome.status,
        result: outcome.status === 'succeeded' ? outcome.result : null,
        error: outcome.status === 'failed' ? outcome.error : null,
        finished_at: now(),
      })
      .where('job_id', '=', jobId)
      .where('name', '=', name)
      .execute();
  }

  async steps(jobId: string): Promise<JobStep[]> {
    const rows = await this.db.kysely
      .selectFrom('job_steps')
      .selectAll()
      .where('job_id', '=', jobId)
      .orderBy('position')
      .execute();
    return rows.map((r) => ({
      name: r.name,
      position: Number(r.position),
      status: r.status as JobStep['status'],
      attempts: Number(r.attempts),
      error: r.error,
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    }));
  }

  /** True when this replica's insert won the tick: exactly one replica enqueues per tick. */
  async claimScheduleTick(row: ScheduleRunsTable, tx: Executor = this.db.kysely): Promise<boolean> {
    const result = await tx
      .insertInto('schedule_runs')
      .values(row)
      .onConflict((oc) => oc.columns(['schedule_name', 'tick_at']).doNothing())
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async setScheduleRunJob(
    name: string,
    tickAt: string,
    jobId: string,
    tx: Executor = this.db.kysely,
  ): Promise<void> {
    await tx
      .updateTable('schedule_runs')
      .set({ job_id: jobId })
      .where('schedule_name', '=', name)
      .where('tick_at', '=', tickAt)
      .execute();
  }

  async lastScheduleRun(name: string): Promise<ScheduleRunsTable | undefined> {
    return this.db.kysely
      .selectFrom('schedule_runs')
      .selectAll()
      .where('schedule_name', '=', name)
      .orderBy('tick_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  }
}

function leaseUntil(leaseMs: number): string {
  return new Date(Date.now() + leaseMs).toISOString();
}

/** SQLite and PostgreSQL report a duplicate key differently; this is the one place that knows both. */

export function toJob(row: JobsTable): Job {
  return {
    id: row.id,
    type: row.type,
    status: row.status as Job['status'],
    progress: Number(row.progress),
    payload: parseJson(row.payload),
    result: row.result === null ? null : parseJson(row.result),
    error: row.error,
    createdBy: row.created_by,
    customerId: row.customer_id,
    attempts: Number(row.attempts),
    cancelRequested: fromFlag(row.cancel_requested),
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    updatedAt: row.updated_at,
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
