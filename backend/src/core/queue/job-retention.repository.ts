import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import type { Db } from '../database/database.ts';
import { DB } from '../tokens.ts';

/** Deleting in slices keeps each transaction short, so a big first prune never blocks workers. */
const SLICE = 500;

export interface PruneCounts {
  jobs: number;
  scheduleRuns: number;
}

/** The SQL that forgets old job history; logs and steps go with their job (ON DELETE CASCADE). */
@Injectable()
export class JobRetentionRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  /** Finished jobs that ended before `before`, and schedule ticks before it but each schedule's latest. */
  async prune(before: string): Promise<PruneCounts> {
    let jobs = 0;
    for (;;) {
      const ids = await this.db.kysely
        .selectFrom('jobs')
        .select('id')
        .where('status', 'in', ['succeeded', 'failed', 'cancelled'])
        .where('finished_at', '<', before)
        .limit(SLICE)
        .execute();
      if (ids.length === 0) break;
      const result = await this.db.kysely
        .deleteFrom('jobs')
        .where(
          'id',
          'in',
          ids.map((row) => row.id),
        )
        .executeTakeFirst();
      jobs += Number(result.numDeletedRows);
    }
    // The latest tick of each schedule stays: it is what "last run" shows and what the scheduler
    // compares the next tick with.
    const runs = await this.db.kysely
      .deleteFrom('schedule_runs')
      .where('tick_at', '<', before)
      .where(
        'tick_at',
        '<',
        sql<string>`(select max(latest.tick_at) from schedule_runs latest where latest.schedule_name = schedule_runs.schedule_name)`,
      )
      .executeTakeFirst();
    return { jobs, scheduleRuns: Number(runs.numDeletedRows) };
  }
}
