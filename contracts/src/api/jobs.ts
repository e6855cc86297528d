import * as z from 'zod';
import { idSchema, isoDateTime, pageQueryShape, pageSchema } from './common.ts';

/** queued → running → succeeded | failed | cancelled; failed and cancelled jobs can be retried. */
export const jobStatusSchema = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof jobStatusSchema>;

export const jobLogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);
export type JobLogLevel = z.infer<typeof jobLogLevelSchema>;

/** Job types are dotted lowercase names: `system.diagnostics`, `proxmox.sync`. */
export const jobTypeNameSchema = z
  .string()
  .min(3)
  .max(100)
  .regex(/^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/, 'expected a dotted name like "system.diagnostics"');

export const jobSchema = z.object({
  id: idSchema,
  type: z.string(),
  status: jobStatusSchema,
  /** 0–100, as last reported by the job. */
  progress: z.number().int().min(0).max(100),
  payload: z.unknown(),
  result: z.unknown().nullable(),
  error: z.string().nullable(),
  /** The user who started it; null for the scheduler and the system. */
  createdBy: idSchema.nullable(),
  customerId: idSchema.nullable(),
  /** Executions started so far (a retry or a crash recovery starts another). */
  attempts: z.number().int(),
  /** A cancel was asked for while it was running; the job stops at its next check. */
  cancelRequested: z.boolean(),
  createdAt: isoDateTime,
  startedAt: isoDateTime.nullable(),
  finishedAt: isoDateTime.nullable(),
  updatedAt: isoDateTime,
});
export type Job = z.infer<typeof jobSchema>;

export const jobStepStatusSchema = z.enum(['running', 'succeeded', 'failed']);

/** One step of a multi-step operation; a succeeded step is never run again for the same job. */
export const jobStepSchema = z.object({
  name: z.string(),
  position: z.number().int(),
  status: jobStepStatusSchema,
  attempts: z.number().int(),
  error: z.string().nullable(),
  startedAt: isoDateTime,
  finishedAt: isoDateTime.nullable(),
});
export type JobStep = z.infer<typeof jobStepSchema>;

export const jobDetailSchema = jobSchema.extend({ steps: z.array(jobStepSchema) });
export type JobDetail = z.infer<typeof jobDetailSchema>;

export const jobListQuerySchema = z.strictObject({
  ...pageQueryShape,
  order: z.enum(['asc', 'desc']).default('desc'),
  sort: z.enum(['createdAt']).default('createdAt'),
  status: jobStatusSchema.optional(),
  type: z.string().max(100).optional(),
});
export type JobListQuery = z.output<typeof jobListQuerySchema>;
export const jobPageSchema = pageSchema(jobSchema);

export const jobLogSchema = z.object({
  seq: z.number().int(),
  at: isoDateTime,
  level: jobLogLevelSchema,
  message: z.string(),
});
export type JobLog = z.infer<typeof jobLogSchema>;

/** `after` is the last `seq` already shown: a console tails a job by passing back `nextAfter`. */
export const jobLogQuerySchema = z.strictObject({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});
export type JobLogQuery = z.output<typeof jobLogQuerySchema>;

export const jobLogPageSchema = z.object({
  items: z.array(jobLogSchema),
  /** Pass as `after` to get the lines written since. */
  nextAfter: z.number().int(),
});
export type JobLogPage = z.infer<typeof jobLogPageSchema>;

/** POST /jobs: start a job of a type marked startable from the API. */
export const jobStartSchema = z.strictObject({
  type: jobTypeNameSchema,
  payload: z.unknown().default({}),
  /** Run on behalf of this customer (their users then see the job). */
  customerId: idSchema.nullable().default(null),
});
export type JobStart = z.output<typeof jobStartSchema>;

export const jobTypeInfoSchema = z.object({
  type: z.string(),
  description: z.string().nullable(),
  startableFromApi: z.boolean(),
});
export type JobTypeInfo = z.infer<typeof jobTypeInfoSchema>;
export const jobTypeListSchema = z.object({ items: z.array(jobTypeInfoSchema) });

export const scheduleSchema = z.object({
  name: z.string(),
  cron: z.string(),
  jobType: z.string(),
  description: z.string().nullable(),
  nextRunAt: isoDateTime.nullable(),
  lastRunAt: isoDateTime.nullable(),
  lastJobId: idSchema.nullable(),
});
export type Schedule = z.infer<typeof scheduleSchema>;
export const scheduleListSchema = z.object({ items: z.array(scheduleSchema) });

/** GET /events?types=job.log,job.progress: only these event types (all when absent). */
export const eventStreamQuerySchema = z.strictObject({
  types: z
    .string()
    .max(1000)
    .optional()
    .transform((value) =>
      value
        ? value
            .split(',')
            .map((t) => t.trim())
            .filter((t) => t.length > 0)
        : null,
    ),
});
export type EventStreamQuery = z.output<typeof eventStreamQuerySchema>;

/** `data` of the live events jobs publish (SSE `event: job.status` etc.). */
export const jobStatusEventSchema = z.object({
  id: idSchema,
  type: z.string(),
  status: jobStatusSchema,
  progress: z.number().int(),
  attempts: z.number().int(),
  error: z.string().nullable(),
});
export const jobProgressEventSchema = z.object({
  id: idSchema,
  type: z.string(),
  progress: z.number().int(),
});
export const jobLogEventSchema = jobLogSchema.extend({ id: idSchema, type: z.string() });
export const jobStepEventSchema = z.object({
  id: idSchema,
  type: z.string(),
  name: z.string(),
  status: jobStepStatusSchema,
});
