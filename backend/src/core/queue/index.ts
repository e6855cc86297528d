/** What other modules use of the job system. */
export { JobQueue } from './job-queue.ts';
export { Schedules, type ScheduleDefinition, type TickOutcome } from './schedules.ts';
export type {
  EnqueueOptions,
  JobActor,
  JobContext,
  JobHandler,
  JobTypeOptions,
  QueueSettings,
  StepRunner,
} from './job-types.ts';
export { QueueModule, QUEUE_SETTINGS } from './queue.module.ts';
export { configureQueue, startBackgroundWork } from './background.ts';
