import { TestBed } from '@angular/core/testing';
import { MatSnackBar } from '@angular/material/snack-bar';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { LiveEvents, type LiveEvent } from '../../core/events/live-events.ts';
import { JobNotifier } from './job-notifier.ts';
import { StartedJobs } from './jobs-api.ts';

const mine = '00000000-0000-4000-8000-000000000b01';
const theirs = '00000000-0000-4000-8000-000000000b02';
const status = (id: string, value: string) => ({
  type: 'job.status' as const,
  data: { id, type: 'system.diagnostics', status: value, progress: 100, attempts: 1, error: null },
});

describe('JobNotifier', () => {
  let events: Subject<LiveEvent>;
  let open: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    events = new Subject<LiveEvent>();
    open = vi.fn(() => ({ onAction: () => new Subject<void>() }));
    TestBed.configureTestingModule({
      providers: [provideRouter([]), { provide: MatSnackBar, useValue: { open } }],
    });
    Object.defineProperty(TestBed.inject(LiveEvents), 'events$', { value: events.asObservable() });
    TestBed.inject(StartedJobs).remember(mine);
    TestBed.inject(JobNotifier).start();
  });

  it('tells the user once when a job they started ends', () => {
    events.next(status(mine, 'running'));
    expect(open).not.toHaveBeenCalled();
    events.next(status(mine, 'failed'));
    expect(open).toHaveBeenCalledWith(
      'Job system.diagnostics failed',
      'Open',
      expect.objectContaining({ politeness: 'assertive' }),
    );
    events.next(status(mine, 'failed'));
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('stays quiet about jobs someone else (or the scheduler) started', () => {
    events.next(status(theirs, 'succeeded'));
    expect(open).not.toHaveBeenCalled();
  });
});
