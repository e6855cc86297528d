import { Cron } from 'croner';
import type { Schedule } from '@skyy/contracts';
import type { Logger } from 'pino';
import { now, type Db } from '../database/database.ts';
import type { JobQueue } from './job-queue.ts';
import { JobsRepository } from './jobs.repository.ts';
import { isUniqueViolation } from '../database/db-errors.ts';

export interface ScheduleDefinition {
  /** Unique and stable: it keys the once-per-tick guard across replicas. */
  name: string;
  /** Cron syntax, 5 fields (minute precision) or 6 (seconds first), e.g. `0 * * * *`. */
  cron: string;
  jobType: string;
  payload?: unknown;
  description?: string;
  /** IANA zone the cron expression is read in; the server's local zone when absent. */
  timezone?: string;
  /** Skip a tick while the previous run is still queued or running (default true), so runs never pile up. */
  skipIfRunning?: boolean;
}

export type TickOutcome = 'enqueued' | 'skipped' | 'taken';

interface Entry {
  definition: ScheduleDefinition;
  cron: Cron;
  timer: NodeJS.Timeout | null;
}

/** setTimeout's ceiling is ~24.8 days; long waits are split and re-checked. */
const MAX_TIMER_MS = 60 * 60 * 1000;

/**
 * Recurring jobs. Every replica running the scheduler arms a timer for each tick; at the tick,
 * each tries to insert (schedule, tick time) into schedule_runs, and the one whose insert wins
 * enqueues the job in the same transaction. So a tick produces exactly one job however many
 * replicas run, and none when every replica is down (missed ticks are not caught up).
 */
export class Schedules {
  private readonly entries = new Map<string, Entry>();
  private readonly repo: JobsRepository;
  private running = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly db: Db,
    private readonly queue: JobQueue,
    private readonly logger: Logger,
  ) {
    this.repo = new JobsRepository(db);
  }

  define(definition: ScheduleDefinition): void {
    if (this.entries.has(definition.name)) throw new Error(`schedule "${definition.name}" is defined twice`);
    let cron: Cron;
    try {
      cron = new Cron(definition.cron, {
        paused: true,
        ...(definition.timezone ? { timezone: definition.timezone } : {}),
      });
    } catch (error) {
      throw new Error(`schedule "${definition.name}": invalid cron "${definition.cron}": ${String(error)}`, {
        cause: error,
      });
    }
    const entry: Entry = { definition, cron, timer: null };
    this.entries.set(definition.name, entry);
    if (this.running) this.arm(entry, new Date());
  }

  /** Definitions with their next tick and the last tick any replica recorded. */
  async list(): Promise<Schedule[]> {
    const items = await Promise.all(
      [...this.entries.values()].map(async ({ definition, cron }) => {
        const last = await this.repo.lastScheduleRun(definition.name);
        return {
          name: definition.name,
          cron: definition.cron,
          jobType: definition.jobType,
          description: definition.description ?? null,
          nextRunAt: cron.nextRun()?.toISOString() ?? null,
          lastRunAt: last?.tick_at ?? null,
          lastJobId: last?.job_id ?? null,
        };
      }),
    );
    return items.sort((a, b) => a.name.localeCompare(b.name));
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const from = new Date();
    for (const entry of this.entries.values()) this.arm(entry, from);
  }

  /** Disarms every timer and waits for ticks already firing, so none lands after stop(). */
  async stop(): Promise<void> {
    this.running = false;
    for (const entry of this.entries.values()) {
      if (entry.timer) clearTimeout(entry.timer);
      entry.timer = null;
    }
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Runs one tick of a schedule: enqueues its job when this replica is the first to record the
   * tick. Exposed so tests and `skyy` tooling can drive ticks without waiting for the clock.
   */
  async tick(name: string, tickAt: Date): Promise<TickOutcome> {
    const entry = this.entries.get(name);
    if (!entry) throw new Error(`no schedule named "${name}"`);
    const { definition } = entry;
    const dedupeKey = definition.skipIfRunning === false ? null : `schedule:${definition.name}`;
    const row = this.queue.newSystemRow(definition.jobType, definition.payload ?? {}, dedupeKey);
    const tick = tickAt.toISOString();
    let outcome: TickOutcome;
    try {
      outcome = await this.db.kysely.transaction().execute(async (tx) => {
        const active = dedupeKey ? await this.repo.findActiveByDedupeKey(dedupeKey, tx) : undefined;
        const won = await this.repo.claimScheduleTick(
          {
            schedule_name: name,
            tick_at: tick,
            job_id: active ? null : row.id,
            replica: this.queue.workerId,
            created_at: now(),
          },
          tx,
        );
        if (!won) return 'taken';
        if (active) return 'skipped';
        await this.repo.insert(row, tx);
        return 'enqueued';
      });
    } catch (error) {
      // A run of this schedule was enqueued by another replica between our check and insert.
      if (dedupeKey && isUniqueViolation(error)) return 'skipped';
      throw error;
    }
    if (outcome === 'enqueued') await this.queue.scheduled(row);
    return outcome;
  }

  private arm(entry: Entry, after: Date): void {
    if (!this.running) return;
    const next = entry.cron.nextRun(after);
    if (!next) return;
    this.armAt(entry, next);
  }

  private armAt(entry: Entry, tickAt: Date): void {
    const delay = tickAt.getTime() - Date.now();
    const fire = () => {
      entry.timer = null;
      if (!this.running) return;
      if (delay > MAX_TIMER_MS) return this.armAt(entry, tickAt);
      // Arm the next tick first (from the scheduled time, not the clock) so a slow tick never skips one.
      this.arm(entry, tickAt);
      const firing = this.tick(entry.definition.name, tickAt)
        .catch((error: unknown) =>
          this.logger.error({ err: error, schedule: entry.definition.name }, 'schedule tick failed'),
        )
        .finally(() => this.inFlight.delete(firing));
      this.inFlight.add(firing);
    };
    entry.timer = setTimeout(fire, Math.max(0, Math.min(delay, MAX_TIMER_MS)));
    entry.timer.unref();
  }
}
