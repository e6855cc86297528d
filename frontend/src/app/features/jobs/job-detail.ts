import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import {
  jobLogEventSchema,
  jobProgressEventSchema,
  jobStatusEventSchema,
  jobStepEventSchema,
  type JobDetail as Job,
  type JobLog,
} from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, STREAM_RECONNECTED } from '../../core/events/live-events.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Icon } from '../../shared/icon.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { ValueTree } from '../../shared/value-tree.ts';
import { JobsApi } from './jobs-api.ts';
import { finishedStatuses, jobStatusClass } from './job-status.ts';

/** One job: status, progress, steps and its log, which streams in live while it runs. */
@Component({
  selector: 'app-job-detail',
  imports: [RouterLink, MatButtonModule, MatProgressBarModule, Icon, DateTimePipe, ValueTree],
  templateUrl: './job-detail.html',
  styleUrl: './job-detail.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class JobDetail {
  private readonly jobs = inject(JobsApi);
  protected readonly session = inject(SessionState);
  protected readonly statusClass = jobStatusClass;

  readonly id = input.required<string>();
  protected readonly job = signal<Job | null>(null);
  protected readonly lines = signal<JobLog[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly finished = computed(() => {
    const job = this.job();
    return job !== null && finishedStatuses.includes(job.status);
  });
  private catchingUp: Promise<void> | null = null;

  constructor() {
    const events = inject(LiveEvents);
    effect(() => {
      const id = this.id();
      // Only the id is a dependency: loading reads and writes the lines.
      untracked(() => {
        this.lines.set([]);
        void this.refresh(id);
        void this.catchUp(id);
      });
    });
    events.on('job.log', (data) => {
      const line = jobLogEventSchema.safeParse(data);
      if (!line.success || line.data.id !== this.id()) return;
      const last = this.lastSeq();
      if (line.data.seq === last + 1) {
        const { seq, at, level, message } = line.data;
        this.lines.update((lines) => [...lines, { seq, at, level, message }]);
      } else if (line.data.seq > last) {
        // A gap (the stream connected late or dropped a line): fetch what is missing.
        void this.catchUp(this.id());
      }
    });
    events.on('job.progress', (data) => {
      const event = jobProgressEventSchema.safeParse(data);
      if (event.success && event.data.id === this.id()) {
        this.job.update((job) => (job ? { ...job, progress: event.data.progress } : job));
      }
    });
    events.on('job.status', (data) => {
      const event = jobStatusEventSchema.safeParse(data);
      if (!event.success || event.data.id !== this.id()) return;
      void this.refresh(event.data.id);
      void this.catchUp(event.data.id);
    });
    // Back after a drop: whatever happened meanwhile was not sent again.
    events.on(STREAM_RECONNECTED, () => {
      void this.refresh(this.id());
      void this.catchUp(this.id());
    });
    events.on('job.step', (data) => {
      const event = jobStepEventSchema.safeParse(data);
      if (event.success && event.data.id === this.id()) void this.refresh(event.data.id);
    });
  }

  private lastSeq(): number {
    return this.lines().at(-1)?.seq ?? 0;
  }

  private async refresh(id: string): Promise<void> {
    try {
      this.job.set(await this.jobs.get(id));
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  /** Reads the log from the last line shown onwards, one request at a time. */
  private catchUp(id: string): Promise<void> {
    this.catchingUp ??= (async () => {
      try {
        for (;;) {
          const page = await this.jobs.logs(id, this.lastSeq());
          const fresh = page.items.filter((line) => line.seq > this.lastSeq());
          if (fresh.length) this.lines.update((lines) => [...lines, ...fresh]);
          // A full page means there may be more.
          if (page.items.length < 1000) break;
        }
      } catch (error) {
        this.error.set(errorMessage(error));
      } finally {
        this.catchingUp = null;
      }
    })();
    return this.catchingUp;
  }

  protected async cancel(): Promise<void> {
    await this.act(() => this.jobs.cancel(this.id()));
  }

  protected async retry(): Promise<void> {
    await this.act(() => this.jobs.retry(this.id()));
  }

  private async act(action: () => Promise<unknown>): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      await action();
      await this.refresh(this.id());
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
