/**
 * One control step at a time. The poll timer, a new sample, a config reload and a stale check all
 * ask for a step; a request while a step runs (a slow nvidia-settings or ipmitool write) runs once
 * right after it, and requests made meanwhile fold into that one instead of piling up.
 */
export class SerialSteps {
  private running: Promise<void> = Promise.resolve();
  private queued = false;

  /** `active` false (the owner is stopping): no new step starts, a queued one is dropped. */
  constructor(
    private readonly step: () => Promise<void>,
    private readonly active: () => boolean,
  ) {}

  request(): void {
    if (this.queued || !this.active()) return;
    this.queued = true;
    this.running = this.running.then(async () => {
      this.queued = false;
      if (this.active()) await this.step();
    });
  }

  /** Resolves when the steps requested so far have run (tests, shutdown). */
  settled(): Promise<void> {
    return this.running;
  }
}
