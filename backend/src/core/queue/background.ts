import type { INestApplicationContext } from '@nestjs/common';
import { JobQueue } from './job-queue.ts';
import type { QueueSettings } from './job-types.ts';
import { QUEUE_SETTINGS } from './queue.module.ts';
import { Schedules } from './schedules.ts';

/** Applies test or deployment tuning; call after the app is created, before it is initialised. */
export function configureQueue(
  app: INestApplicationContext,
  overrides: Partial<QueueSettings> = {},
): QueueSettings {
  const settings = app.get<QueueSettings>(QUEUE_SETTINGS);
  return Object.assign(settings, overrides);
}

/** Starts job workers and the scheduler: replicas with the worker or all role call this. */
export async function startBackgroundWork(app: INestApplicationContext): Promise<void> {
  await app.get(JobQueue).start();
  app.get(Schedules).start();
}
