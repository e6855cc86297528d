import type { JobLog } from '@skyy/contracts';
import type { LiveEvent } from '../events/event-bus.ts';
import type { JobsTable } from './jobs.table.ts';

/**
 * The live events a job publishes, scoped to its customer so customer users see their own
 * jobs move and nobody else's. Payload shapes are the `job*EventSchema`s in contracts.
 */
export function jobStatusEvent(row: JobsTable): LiveEvent {
  return {
    type: 'job.status',
    customerId: row.customer_id,
    data: {
      id: row.id,
      type: row.type,
      status: row.status,
      progress: Number(row.progress),
      attempts: Number(row.attempts),
      error: row.error,
    },
  };
}

export function jobProgressEvent(job: JobIdentity, progress: number): LiveEvent {
  return { type: 'job.progress', customerId: job.customerId, data: { id: job.id, type: job.type, progress } };
}

export function jobLogEvent(job: JobIdentity, line: JobLog): LiveEvent {
  return { type: 'job.log', customerId: job.customerId, data: { id: job.id, type: job.type, ...line } };
}

export function jobStepEvent(
  job: JobIdentity,
  name: string,
  status: 'running' | 'succeeded' | 'failed',
): LiveEvent {
  return { type: 'job.step', customerId: job.customerId, data: { id: job.id, type: job.type, name, status } };
}

export interface JobIdentity {
  id: string;
  type: string;
  customerId: string | null;
}
