import { Inject, Injectable } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import { z } from 'zod';
import type { JobContext } from '../../core/queue/index.ts';
import { JobRetentionRepository, type PruneCounts } from '../../core/queue/job-retention.repository.ts';
import { CONFIG } from '../../core/tokens.ts';

export const JOBS_PRUNE = 'jobs.prune';

export const prunePayloadSchema = z
  .strictObject({
    /** Overrides `jobs.retention_days` for this run (e.g. a one-off deeper clean). */
    retentionDays: z.number().int().min(1).optional(),
  })
  .prefault({});
export type PrunePayload = z.output<typeof prunePayloadSchema>;

export interface PruneReport extends PruneCounts {
  before: string;
}

/**
 * Schedules every few minutes (cluster sync, GPU downsampling, agent checks) write hundreds of
 * jobs a day; without this the jobs table and its logs would grow for ever.
 */
@Injectable()
export class JobRetention {
  constructor(
    @Inject(JobRetentionRepository) private readonly repo: JobRetentionRepository,
    @Inject(CONFIG) private readonly config: SkyyConfig,
  ) {}

  async run(payload: PrunePayload, ctx: JobContext): Promise<PruneReport> {
    const days = payload.retentionDays ?? this.config.jobs.retention_days;
    const before = new Date(Date.now() - days * 86_400_000).toISOString();
    await ctx.log(
      'info',
      `Deleting finished jobs and schedule ticks older than ${days} days (before ${before})`,
    );
    const counts = await this.repo.prune(before);
    await ctx.log(
      'info',
      `Deleted ${counts.jobs} jobs (with their logs and steps) and ${counts.scheduleRuns} schedule ticks`,
    );
    return { before, ...counts };
  }
}
