import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { EventsModule } from '../../core/events/events.module.ts';
import { JobQueue, QueueModule, Schedules } from '../../core/queue/index.ts';
import { JobRetentionRepository } from '../../core/queue/job-retention.repository.ts';
import { JOBS_PRUNE, JobRetention, prunePayloadSchema } from './job-retention.ts';
import { JobsController } from './jobs.controller.ts';
import { JobsService } from './jobs.service.ts';
import { diagnosticsPayloadSchema, SYSTEM_DIAGNOSTICS, SystemDiagnostics } from './system-diagnostics.ts';

/**
 * Jobs API, the live event stream, and the built-in job types with their schedules.
 * Other modules register their own job types on the global JobQueue in their onModuleInit.
 */
@Module({
  imports: [QueueModule, EventsModule],
  controllers: [JobsController],
  providers: [JobsService, SystemDiagnostics, JobRetention, JobRetentionRepository],
})
export class JobsModule implements OnModuleInit {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(Schedules) private readonly schedules: Schedules,
    @Inject(SystemDiagnostics) private readonly diagnostics: SystemDiagnostics,
    @Inject(JobRetention) private readonly retention: JobRetention,
  ) {}

  onModuleInit(): void {
    this.queue.register(SYSTEM_DIAGNOSTICS, (payload, ctx) => this.diagnostics.run(payload, ctx), {
      payloadSchema: diagnosticsPayloadSchema,
      startableFromApi: true,
      description: 'Checks the database, Redis, free disk space and pending migrations.',
      maxAttempts: 1,
    });
    this.schedules.define({
      name: 'system.diagnostics.hourly',
      cron: '0 * * * *',
      jobType: SYSTEM_DIAGNOSTICS,
      description: 'Hourly self-check; its report is the job result.',
    });
    this.queue.register(JOBS_PRUNE, (payload, ctx) => this.retention.run(payload, ctx), {
      payloadSchema: prunePayloadSchema,
      startableFromApi: true,
      description:
        'Deletes finished jobs (with logs and steps) and schedule ticks older than jobs.retention_days.',
      maxAttempts: 1,
    });
    this.schedules.define({
      name: 'jobs.prune.daily',
      cron: '17 3 * * *',
      jobType: JOBS_PRUNE,
      description: 'Daily clean-up of old job history.',
    });
  }
}
