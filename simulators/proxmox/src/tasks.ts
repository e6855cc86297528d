/** An error the simulator answers with, PVE style: the message is the HTTP reason and the body's `message`. */
export class SimError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
  ) {
    super(message);
  }
}

export interface SimTask {
  upid: string;
  node: string;
  type: string;
  id: string;
  user: string;
  pid: number;
  pstart: number;
  starttime: number;
  status: 'running' | 'stopped';
  locks: string[];
  exitstatus?: string;
  endtime?: number;
  log: string[];
}

export interface TaskSpec {
  node: string;
  /** `qmstart`, `qmclone`, `qmcreate`, … as PVE names its workers. */
  type: string;
  id: string;
  user: string;
  /** Runs when the task's time is up; throwing a SimError ends the task with that error. */
  work: (log: (line: string) => void) => void;
  /** VMIDs whose config lock the task holds while it runs; defaults to `id`. */
  locks?: string[];
  /** Undo whatever was reserved when the task started (placeholder configs, locks). */
  onFailure?: () => void;
}

export interface TaskEngineOptions {
  durationMs: () => number;
  /** Chance that a task ends with an injected error instead of doing its work. */
  failureRate: () => number;
  /** Every Nth task fails (0: never). */
  failureEvery: () => number;
  random: () => number;
  onChange: () => void;
}

const hex8 = (n: number) => n.toString(16).toUpperCase().padStart(8, '0');

/** Tasks (UPIDs) that take time and end OK or with an error, with a log, like PVE's workers. */
export class TaskEngine {
  private readonly tasks = new Map<string, SimTask>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly running = new Set<Promise<void>>();
  private nextPid = 100_000;
  private finished = 0;

  constructor(private readonly options: TaskEngineOptions) {}

  start(spec: TaskSpec): string {
    const starttime = Math.floor(Date.now() / 1000);
    const pid = this.nextPid++;
    const upid = `UPID:${spec.node}:${hex8(pid)}:${hex8(pid * 7)}:${hex8(starttime)}:${spec.type}:${spec.id}:${spec.user}:`;
    const task: SimTask = {
      upid,
      node: spec.node,
      type: spec.type,
      id: spec.id,
      user: spec.user,
      pid,
      pstart: pid * 7,
      starttime,
      status: 'running',
      locks: spec.locks ?? [spec.id],
      log: [],
    };
    this.tasks.set(upid, task);
    const done = new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.finish(task, spec);
        resolve();
      }, this.options.durationMs());
      this.timers.add(timer);
    });
    this.running.add(done);
    void done.then(() => this.running.delete(done));
    return upid;
  }

  private finish(task: SimTask, spec: TaskSpec): void {
    const log = (line: string) => task.log.push(line);
    try {
      const every = this.options.failureEvery();
      const nth = ++this.finished;
      if (this.options.random() < this.options.failureRate() || (every > 0 && nth % every === 0)) {
        throw new SimError(500, `${spec.type} ${spec.id}: simulated task failure (injected fault)`);
      }
      spec.work(log);
      task.exitstatus = 'OK';
      log('TASK OK');
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      spec.onFailure?.();
      task.exitstatus = message;
      log(`TASK ERROR: ${message}`);
    }
    task.status = 'stopped';
    task.endtime = Math.floor(Date.now() / 1000);
    this.options.onChange();
  }

  /** Whether a running task holds the config lock of this VMID. */
  isBusy(vmid: string): boolean {
    for (const task of this.tasks.values()) {
      if (task.status === 'running' && task.locks.includes(vmid)) return true;
    }
    return false;
  }

  get(upid: string): SimTask | undefined {
    return this.tasks.get(upid);
  }

  list(node: string): SimTask[] {
    return [...this.tasks.values()].filter((task) => task.node === node).reverse();
  }

  /** Resolves when no task is running (tests, graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  /** Abandons running tasks without finishing them (server close). */
  cancelAll(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.running.clear();
  }
}
