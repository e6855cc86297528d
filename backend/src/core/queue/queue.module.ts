import { Global, Inject, Module, type OnModuleDestroy } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import type { Logger } from 'pino';
import { AuditService } from '../../app/audit/audit.service.ts';
import type { Db } from '../database/database.ts';
import { EventBus } from '../events/event-bus.ts';
import { CONFIG, DB, LOGGER } from '../tokens.ts';
import { BullMqJobQueue } from './bullmq-queue.ts';
import { InProcessJobQueue } from './in-process-queue.ts';
import { JobQueue } from './job-queue.ts';
import { defaultQueueSettings, type QueueSettings } from './job-types.ts';
import { JobsRepository } from './jobs.repository.ts';
import { Schedules } from './schedules.ts';

/** The queue's tuning, one object per server; createServer adjusts it before workers start. */
export const QUEUE_SETTINGS = Symbol('QueueSettings');

/**
 * JobQueue (BullMQ when Redis is configured, in-process otherwise) and Schedules, for every
 * module to inject. Workers and the scheduler are started by createServer for the worker and
 * all roles only; this module stops them when the application closes.
 */
@Global()
@Module({
  providers: [
    { provide: QUEUE_SETTINGS, useFactory: (): QueueSettings => ({ ...defaultQueueSettings }) },
    {
      provide: JobQueue,
      inject: [CONFIG, DB, LOGGER, EventBus, AuditService, QUEUE_SETTINGS],
      useFactory: (
        config: SkyyConfig,
        db: Db,
        logger: Logger,
        events: EventBus,
        audit: AuditService,
        settings: QueueSettings,
      ): JobQueue => {
        const deps = { db, events, logger: logger.child({ component: 'jobs' }), audit, settings };
        return config.redis.url ? new BullMqJobQueue(deps, config.redis.url) : new InProcessJobQueue(deps);
      },
    },
    {
      provide: Schedules,
      inject: [DB, JobQueue, LOGGER],
      useFactory: (db: Db, queue: JobQueue, logger: Logger) =>
        new Schedules(db, queue, logger.child({ component: 'scheduler' })),
    },
    JobsRepository,
  ],
  exports: [JobQueue, Schedules, JobsRepository, QUEUE_SETTINGS],
})
export class QueueModule implements OnModuleDestroy {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(Schedules) private readonly schedules: Schedules,
  ) {}

  async onModuleDestroy(): Promise<void> {
    await this.schedules.stop();
    await this.queue.stop();
  }
}
