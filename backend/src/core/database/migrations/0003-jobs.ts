import { sql, type Kysely } from 'kysely';

/**
 * Jobs, their log lines and steps, and schedule ticks. Every job is a row whichever adapter
 * runs it (in-process or BullMQ): the row is what the console and the API read.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('created_by', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('dedupe_key', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    // The worker holding the job and until when; another worker takes over once it expires.
    .addColumn('locked_by', 'text')
    .addColumn('lease_expires_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobs_created').on('jobs').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('jobs_claim').on('jobs').columns(['status', 'created_at']).execute();
  await db.schema
    .createIndex('jobs_customer')
    .on('jobs')
    .columns(['customer_id', 'created_at', 'id'])
    .execute();
  // At most one active job per dedupe key: the second enqueue returns the first job.
  await db.schema
    .createIndex('jobs_dedupe_active')
    .on('jobs')
    .column('dedupe_key')
    .unique()
    .where(sql<boolean>`dedupe_key is not null and status in ('queued', 'running')`)
    .execute();

  await db.schema
    .createTable('job_logs')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('job_logs_pk', ['job_id', 'seq'])
    .execute();

  await db.schema
    .createTable('job_steps')
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('job_steps_pk', ['job_id', 'name'])
    .execute();

  // One row per schedule tick, whichever replica inserts it first: that replica enqueues.
  await db.schema
    .createTable('schedule_runs')
    .addColumn('schedule_name', 'text', (c) => c.notNull())
    .addColumn('tick_at', 'text', (c) => c.notNull())
    .addColumn('job_id', 'text')
    .addColumn('replica', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('schedule_runs_pk', ['schedule_name', 'tick_at'])
    .execute();
}
