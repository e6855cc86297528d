import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router, withComponentInputBinding } from '@angular/router';
import { RouterTestingHarness } from '@angular/router/testing';
import { Subject } from 'rxjs';
import { aUser } from '../../../testing/fixtures.ts';
import { aGpu, aHistory, aPoint, gpuUuid } from '../../../testing/gpu-fixtures.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, type LiveEvent } from '../../core/events/live-events.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { GpuDetailPage } from './gpu-detail.ts';

const staleAlert = {
  id: '00000000-0000-4000-8000-0000000000e1',
  host: 'puma-proxmox-005',
  gpuUuid: null,
  kind: 'agent_stale' as const,
  level: 'error' as const,
  message: 'no heartbeat from puma-proxmox-005 for 2 minutes',
  raisedAt: '2026-11-27T07:58:00.000Z',
  clearedAt: null,
};

describe('GPU detail', () => {
  let http: HttpTestingController;
  let events: Subject<LiveEvent>;
  const confirmed = { answer: true, asked: 0 };

  beforeEach(() => {
    events = new Subject<LiveEvent>();
    confirmed.asked = 0;
    TestBed.configureTestingModule({
      providers: [
        provideRouter(
          [
            { path: 'gpus/:uuid', component: GpuDetailPage },
            { path: 'gpus', children: [] },
          ],
          withComponentInputBinding(),
        ),
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: Confirm,
          useValue: {
            ask: async () => {
              confirmed.asked++;
              return confirmed.answer;
            },
          },
        },
      ],
    });
    Object.defineProperty(TestBed.inject(LiveEvents), 'events$', { value: events.asObservable() });
    http = TestBed.inject(HttpTestingController);
  });

  async function open(role: 'viewer' | 'operator', url = `/gpus/${gpuUuid}`) {
    TestBed.inject(SessionState).signedIn({ user: aUser(role), csrfToken: 't' });
    const harness = await RouterTestingHarness.create();
    const navigation = harness.navigateByUrl(url);
    await settle(harness);
    http.expectOne('/api/v1/gpus').flush({
      items: [aGpu({ status: 'warning' })],
      alerts: [staleAlert],
    });
    await navigation;
    await settle(harness);
    return { harness, element: harness.routeNativeElement as HTMLElement };
  }

  async function settle(harness: RouterTestingHarness) {
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve));
      await harness.fixture.whenStable();
    }
  }

  const historyRequest = () => http.expectOne((r) => r.url === `/api/v1/gpus/${gpuUuid}/history`);

  it('shows the latest reading, the decisions with reasons, the agent and its alerts', async () => {
    const { element } = await open('viewer');
    historyRequest().flush(aHistory([aPoint(20, 55), aPoint(10, 58)]));
    const text = element.textContent ?? '';
    expect(text).toContain('puma-proxmox-005 · GPU #0');
    expect(text).toContain('200 W of 320 W');
    expect(text).toContain('fan 0: 58 °C is above min_temp 45 °C');
    expect(text).toContain('dry-run');
    expect(text).toContain('no heartbeat from puma-proxmox-005');
    // Viewers look; only operators forget a GPU.
    expect(text).not.toContain('Forget GPU');
  });

  it('charts temperature, fans, power against its limit and use over the chosen range', async () => {
    const { harness, element } = await open('viewer');
    const day = historyRequest();
    expect(day.request.params.get('step')).toBe('300');
    day.flush(aHistory([aPoint(20, 55), aPoint(10, 58)]));
    await settle(harness);
    const charts = [...element.querySelectorAll('app-gpu-chart svg[role="img"]')].map((svg) =>
      svg.getAttribute('aria-label'),
    );
    expect(charts).toEqual([
      'Temperature. GPU: min 55 °C, max 58 °C, latest 58 °C',
      'Fan speed. Mean fan speed: min 40 %, max 40 %, latest 40 %',
      'Power. Draw: min 220 W, max 232 W, latest 232 W; Limit: min 320 W, max 320 W, latest 320 W',
      'Utilization. GPU: min 80 %, max 80 %, latest 80 %',
    ]);

    const sevenDays = [...element.querySelectorAll('mat-button-toggle button')].find((b) =>
      b.textContent?.includes('7 days'),
    ) as HTMLButtonElement;
    sevenDays.click();
    await settle(harness);
    expect(TestBed.inject(Router).url).toBe(`/gpus/${gpuUuid}?range=7d`);
    const week = historyRequest();
    expect(week.request.params.get('step')).toBe('3600');
    const span =
      Date.parse(week.request.params.get('to') ?? '') - Date.parse(week.request.params.get('from') ?? '');
    expect(span).toBe(7 * 24 * 3600_000);
    week.flush({ ...aHistory([]), stepSeconds: 3600 });
    await settle(harness);
    expect(element.textContent).toContain('No readings in this range.');
  });

  it('follows the live readings of its GPU', async () => {
    const { harness, element } = await open('viewer');
    historyRequest().flush(aHistory([aPoint(10, 58)]));
    await settle(harness);
    events.next({
      type: 'gpu.reading',
      data: {
        host: 'puma-proxmox-005',
        gpus: [aGpu({ temperatureC: 77, sampledAt: '2026-11-27T08:00:30.000Z' })],
      },
    });
    await settle(harness);
    expect(element.textContent).toContain('77 °C');
    expect(element.querySelector('app-gpu-chart svg')?.getAttribute('aria-label')).toContain('latest 77 °C');
  });

  it('lets an operator forget the GPU after confirming, then returns to the fleet', async () => {
    const { harness, element } = await open('operator');
    historyRequest().flush(aHistory([]));
    await settle(harness);
    const forget = [...element.querySelectorAll('button')].find((b) => b.textContent?.includes('Forget GPU'));
    confirmed.answer = false;
    forget?.click();
    await settle(harness);
    expect(confirmed.asked).toBe(1);
    http.expectNone(`/api/v1/gpus/${gpuUuid}`);

    confirmed.answer = true;
    forget?.click();
    await settle(harness);
    const deletion = http.expectOne(`/api/v1/gpus/${gpuUuid}`);
    expect(deletion.request.method).toBe('DELETE');
    deletion.flush(null, { status: 204, statusText: 'No Content' });
    await settle(harness);
    expect(TestBed.inject(Router).url).toBe('/gpus');
  });

  it('says so when no agent reports the GPU', async () => {
    TestBed.inject(SessionState).signedIn({ user: aUser('viewer'), csrfToken: 't' });
    const harness = await RouterTestingHarness.create();
    void harness.navigateByUrl('/gpus/GPU-gone');
    await settle(harness);
    http.expectOne('/api/v1/gpus').flush({ items: [aGpu()], alerts: [] });
    http
      .expectOne((r) => r.url === '/api/v1/gpus/GPU-gone/history')
      .flush(
        { type: 'about:blank', title: 'Not Found', status: 404, detail: 'GPU GPU-gone not found' },
        { status: 404, statusText: 'Not Found' },
      );
    await settle(harness);
    expect(harness.routeNativeElement?.textContent).toContain('GPU not found');
  });
});
