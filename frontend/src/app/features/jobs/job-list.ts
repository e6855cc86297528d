import {
  ChangeDetectionStrategy,
  Component,
  DestroyRef,
  inject,
  input,
  type OnInit,
  signal,
} from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatMenuModule } from '@angular/material/menu';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { Router, RouterLink } from '@angular/router';
import {
  jobProgressEventSchema,
  jobStatusEventSchema,
  jobStatusSchema,
  type Job,
  type JobTypeInfo,
} from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, STREAM_RECONNECTED } from '../../core/events/live-events.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { CursorTable } from '../../shared/cursor-table.ts';
import { Icon } from '../../shared/icon.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { JobsApi } from './jobs-api.ts';
import { jobStatusClass } from './job-status.ts';

@Component({
  selector: 'app-job-list',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatTableModule,
    MatSortModule,
    CursorTable,
    MatProgressBarModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    MatMenuModule,
    Icon,
    TimeAgoPipe,
  ],
  templateUrl: './job-list.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class JobList implements OnInit {
  private readonly jobs = inject(JobsApi);
  private readonly router = inject(Router);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly session = inject(SessionState);
  protected readonly statuses = jobStatusSchema.options;
  protected readonly statusClass = jobStatusClass;
  protected readonly list = new CursorList<Job>((query) => this.jobs.list(query), {
    sort: 'createdAt',
    order: 'desc',
  });
  protected readonly columns = ['type', 'status', 'progress', 'attempts', 'createdAt', 'finishedAt'];
  protected readonly startable = signal<JobTypeInfo[]>([]);
  protected readonly error = signal<string | null>(null);

  /** `?status=failed` from the dashboard's tiles. */
  readonly status = input<string>();
  protected readonly filters = inject(FormBuilder).nonNullable.group({ status: [''], type: [''] });

  constructor() {
    const events = inject(LiveEvents);
    if (this.session.canEdit()) {
      this.jobs.types().then(
        (types) => this.startable.set(types.items.filter((t) => t.startableFromApi)),
        () => undefined,
      );
    }
    // Progress moves in place; a new or finished job reorders the list, so fetch it again.
    events.on('job.progress', (data) => {
      const event = jobProgressEventSchema.safeParse(data);
      if (event.success) this.patch(event.data.id, { progress: event.data.progress });
    });
    events.on(STREAM_RECONNECTED, () => void this.list.reload());
    events.on('job.status', (data) => {
      const event = jobStatusEventSchema.safeParse(data);
      if (!event.success) return;
      const known = this.list.items().some((job) => job.id === event.data.id);
      if (known) this.patch(event.data.id, { status: event.data.status, progress: event.data.progress });
      else void this.list.reload();
    });
  }
  ngOnInit(): void {
    const status = this.status();
    if (status) this.filters.setValue({ status, type: '' }, { emitEvent: false });
    void this.list.followFilters(this.filters, this.destroyRef);
  }

  private patch(id: string, change: Partial<Job>): void {
    this.list.items.update((items) => items.map((job) => (job.id === id ? { ...job, ...change } : job)));
  }

  protected async start(type: string): Promise<void> {
    this.error.set(null);
    try {
      const job = await this.jobs.start({ type });
      await this.router.navigate(['/jobs', job.id]);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
