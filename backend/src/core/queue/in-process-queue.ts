import { setTimeout as sleep } from 'node:timers/promises';
import { WorkerShutdownError } from './job-runner.ts';
import { JobQueue } from './job-queue.ts';

/**
 * Embedded mode's adapter (and scale-out without Redis): workers claim rows from the database
 * with a lease. A worker renews the lease while the job runs; if its process dies, the lease
 * runs out and any worker sharing the database claims the job again, resuming at its first
 * unfinished step. Enqueueing wakes this process's workers; polling finds everything else.
 */
export class InProcessJobQueue extends JobQueue {
  private started = false;
  private stopping = false;
  private poller: NodeJS.Timeout | null = null;
  private filling: Promise<void> | null = null;
  private fillAgain = false;
  private readonly inFlight = new Set<Promise<unknown>>();

  protected leaseMs(): number {
    return this.deps.settings.leaseMs;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.stopping = false;
    this.poller = setInterval(() => this.wake(), this.deps.settings.pollMs);
    this.poller.unref();
    this.wake();
  }

  async stop(): Promise<void> {
    if (!this.started || this.stopping) return;
    this.stopping = true;
    if (this.poller) clearInterval(this.poller);
    await this.filling;
    const settled = () => Promise.allSettled([...this.inFlight]);
    await Promise.race([settled(), sleep(this.deps.settings.shutdownGraceMs, undefined, { ref: false })]);
    if (this.inFlight.size > 0) {
      this.runner.abortAll(new WorkerShutdownError());
      // Handlers that ignore their signal keep their lease until it expires; another worker then resumes them.
      await Promise.race([settled(), sleep(5_000, undefined, { ref: false })]);
    }
    this.started = false;
  }

  protected async dispatch(): Promise<void> {
    this.wake();
  }

  protected async discard(): Promise<void> {
    // Nothing to drop: a cancelled row is simply never claimed.
  }

  /** Claims jobs until the concurrency limit is reached or nothing is left. */
  private wake(): void {
    if (!this.started || this.stopping) return;
    if (this.filling) {
      this.fillAgain = true;
      return;
    }
    this.filling = this.fill()
      .catch((error: unknown) => this.deps.logger.error({ err: error }, 'claiming jobs failed'))
      .finally(() => {
        this.filling = null;
        if (this.fillAgain) {
          this.fillAgain = false;
          this.wake();
        }
      });
  }

  private async fill(): Promise<void> {
    while (!this.stopping && this.inFlight.size < this.deps.settings.concurrency) {
      const row = await this.repo.claimNext(
        this.workerId,
        this.registeredTypeNames(),
        this.deps.settings.leaseMs,
      );
      if (!row) return;
      const run: Promise<unknown> = this.runner
        .run(row)
        .catch((error: unknown) => this.deps.logger.error({ err: error, jobId: row.id }, 'job runner failed'))
        .finally(() => {
          this.inFlight.delete(run);
          this.wake();
        });
      this.inFlight.add(run);
    }
  }
}
