import { inject, Injectable } from '@angular/core';
import { MatSnackBar } from '@angular/material/snack-bar';
import { Router } from '@angular/router';
import { jobStatusEventSchema } from '@skyy/contracts';
import type { Subscription } from 'rxjs';
import { LiveEvents } from '../../core/events/live-events.ts';
import { StartedJobs } from './jobs-api.ts';

const endings: Record<string, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'was cancelled',
};

/** A toast when a job this user started (in this tab) ends, with a link to its log. */
@Injectable({ providedIn: 'root' })
export class JobNotifier {
  private readonly events = inject(LiveEvents);
  private readonly started = inject(StartedJobs);
  private readonly snackBar = inject(MatSnackBar);
  private readonly router = inject(Router);
  private subscription: Subscription | null = null;

  start(): void {
    this.subscription ??= this.events.events$.subscribe((event) => {
      if (event.type !== 'job.status') return;
      const parsed = jobStatusEventSchema.safeParse(event.data);
      if (!parsed.success) return;
      const job = parsed.data;
      const ending = endings[job.status];
      if (!ending || !this.started.forget(job.id)) return;
      const toast = this.snackBar.open(`Job ${job.type} ${ending}`, 'Open', {
        duration: 8000,
        politeness: job.status === 'failed' ? 'assertive' : 'polite',
      });
      toast.onAction().subscribe(() => void this.router.navigate(['/jobs', job.id]));
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = null;
  }
}
