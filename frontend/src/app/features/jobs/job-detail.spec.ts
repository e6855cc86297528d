import { provideHttpClient } from '@angular/common/http';
import { settle } from '../../../testing/settle.ts';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { aUser } from '../../../testing/fixtures.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, STREAM_RECONNECTED, type LiveEvent } from '../../core/events/live-events.ts';
import { JobDetail } from './job-detail.ts';

const id = '00000000-0000-4000-8000-00000000j0b1'.replace('j0b1', '0b01');
const job = {
  id,
  type: 'system.diagnostics',
  status: 'running',
  progress: 10,
  payload: {},
  result: null,
  error: null,
  createdBy: null,
  customerId: null,
  attempts: 1,
  cancelRequested: false,
  createdAt: '2026-11-27T08:00:00.000Z',
  startedAt: '2026-11-27T08:00:01.000Z',
  finishedAt: null,
  updatedAt: '2026-11-27T08:00:01.000Z',
  steps: [],
};
const line = (seq: number, message: string) => ({
  seq,
  at: `2026-11-27T08:00:0${seq}.000Z`,
  level: 'info',
  message,
});

describe('Job detail', () => {
  let http: HttpTestingController;
  let events: Subject<LiveEvent>;

  beforeEach(() => {
    events = new Subject<LiveEvent>();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    const live = TestBed.inject(LiveEvents);
    Object.defineProperty(live, 'events$', { value: events.asObservable() });
    http = TestBed.inject(HttpTestingController);
  });

  it('shows the log so far, then appends lines as they stream in', async () => {
    const fixture = TestBed.createComponent(JobDetail);
    fixture.componentRef.setInput('id', id);
    await settle(fixture);
    http.expectOne(`/api/v1/jobs/${id}`).flush(job);
    http
      .expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`)
      .flush({ items: [line(1, 'checking the database')], nextAfter: 1 });
    await settle(fixture);
    const log = () => (fixture.nativeElement as HTMLElement).querySelector('[role="log"]')?.textContent ?? '';
    expect(log()).toContain('checking the database');

    events.next({ type: 'job.log', data: { ...line(2, 'database answered in 1 ms'), id, type: job.type } });
    events.next({ type: 'job.progress', data: { id, type: job.type, progress: 60 } });
    await settle(fixture);
    expect(log()).toContain('database answered in 1 ms');
    expect((fixture.nativeElement as HTMLElement).textContent).toContain('60%');
  });

  it('fetches what it missed when a streamed line skips ahead', async () => {
    const fixture = TestBed.createComponent(JobDetail);
    fixture.componentRef.setInput('id', id);
    await settle(fixture);
    http.expectOne(`/api/v1/jobs/${id}`).flush(job);
    http
      .expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`)
      .flush({ items: [line(1, 'one')], nextAfter: 1 });
    await settle(fixture);

    events.next({ type: 'job.log', data: { ...line(3, 'three'), id, type: job.type } });
    const catchUp = http.expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`);
    expect(catchUp.request.params.get('after')).toBe('1');
    catchUp.flush({ items: [line(2, 'two'), line(3, 'three')], nextAfter: 3 });
    await settle(fixture);
    const text = (fixture.nativeElement as HTMLElement).querySelector('[role="log"]')?.textContent ?? '';
    expect(text.indexOf('one')).toBeLessThan(text.indexOf('two'));
    expect(text.indexOf('two')).toBeLessThan(text.indexOf('three'));
  });

  it('reads the job and the rest of its log again when the live stream comes back after a drop', async () => {
    const fixture = TestBed.createComponent(JobDetail);
    fixture.componentRef.setInput('id', id);
    await settle(fixture);
    http.expectOne(`/api/v1/jobs/${id}`).flush(job);
    http
      .expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`)
      .flush({ items: [line(1, 'one')], nextAfter: 1 });
    await settle(fixture);

    // Meanwhile the job finished and logged a line nobody streamed.
    events.next({ type: STREAM_RECONNECTED, data: null });
    http.expectOne(`/api/v1/jobs/${id}`).flush({ ...job, status: 'succeeded', progress: 100 });
    const catchUp = http.expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`);
    expect(catchUp.request.params.get('after')).toBe('1');
    catchUp.flush({ items: [line(2, 'all checks passed')], nextAfter: 2 });
    await settle(fixture);
    const text = (fixture.nativeElement as HTMLElement).textContent ?? '';
    expect(text).toContain('all checks passed');
    expect(text).toContain('succeeded');
    http.verify();
  });

  it('ignores the lines of other jobs', async () => {
    const fixture = TestBed.createComponent(JobDetail);
    fixture.componentRef.setInput('id', id);
    await settle(fixture);
    http.expectOne(`/api/v1/jobs/${id}`).flush(job);
    http.expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`).flush({ items: [], nextAfter: 0 });
    events.next({
      type: 'job.log',
      data: { ...line(1, 'someone else'), id: '00000000-0000-4000-8000-000000000999', type: 'x.y' },
    });
    await settle(fixture);
    expect((fixture.nativeElement as HTMLElement).textContent).not.toContain('someone else');
    http.verify();
  });

  it('offers an operator Retry on a failed job and shows the new attempt', async () => {
    TestBed.inject(SessionState).signedIn({ user: aUser('operator'), csrfToken: 't' });
    const fixture = TestBed.createComponent(JobDetail);
    fixture.componentRef.setInput('id', id);
    await settle(fixture);
    http
      .expectOne(`/api/v1/jobs/${id}`)
      .flush({ ...job, status: 'failed', error: 'disk full', progress: 40 });
    http.expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`).flush({ items: [], nextAfter: 0 });
    await settle(fixture);
    const element: HTMLElement = fixture.nativeElement;
    expect(element.textContent).toContain('disk full');
    expect([...element.querySelectorAll('button')].some((b) => b.textContent?.includes('Cancel'))).toBe(
      false,
    );
    [...element.querySelectorAll('button')].find((b) => b.textContent?.includes('Retry'))!.click();
    const retry = http.expectOne(`/api/v1/jobs/${id}/retry`);
    expect(retry.request.method).toBe('POST');
    retry.flush({ ...job, status: 'queued', attempts: 2, steps: undefined });
    await settle(fixture);
    http.expectOne(`/api/v1/jobs/${id}`).flush({ ...job, status: 'queued', attempts: 2 });
    await settle(fixture);
    expect(element.querySelector('[role="status"]')?.textContent).toContain('queued');
  });

  it('shows a viewer neither Cancel nor Retry', async () => {
    TestBed.inject(SessionState).signedIn({ user: aUser('viewer'), csrfToken: null });
    const fixture = TestBed.createComponent(JobDetail);
    fixture.componentRef.setInput('id', id);
    await settle(fixture);
    http.expectOne(`/api/v1/jobs/${id}`).flush(job);
    http.expectOne((r) => r.url === `/api/v1/jobs/${id}/logs`).flush({ items: [], nextAfter: 0 });
    await settle(fixture);
    const buttons = [...(fixture.nativeElement as HTMLElement).querySelectorAll('button')].map(
      (b) => b.textContent,
    );
    expect(buttons.join(' ')).not.toMatch(/Cancel|Retry/);
  });
});
