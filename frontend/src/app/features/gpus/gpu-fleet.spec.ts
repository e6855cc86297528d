import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { aUser } from '../../../testing/fixtures.ts';
import { aGpu, aHistory, aPoint, gpuUuid } from '../../../testing/gpu-fixtures.ts';
import { settle } from '../../../testing/settle.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, type LiveEvent } from '../../core/events/live-events.ts';
import { GpuFleetPage } from './gpu-fleet.ts';

const second = 'GPU-1c0ffee0-0000-4000-8000-000000000002';

describe('GPU fleet', () => {
  let http: HttpTestingController;
  let events: Subject<LiveEvent>;

  beforeEach(() => {
    events = new Subject<LiveEvent>();
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    Object.defineProperty(TestBed.inject(LiveEvents), 'events$', { value: events.asObservable() });
    TestBed.inject(SessionState).signedIn({ user: aUser('viewer'), csrfToken: 't' });
    http = TestBed.inject(HttpTestingController);
  });

  async function open() {
    const fixture = TestBed.createComponent(GpuFleetPage);
    await settle(fixture);
    http.expectOne('/api/v1/gpus').flush({
      items: [aGpu(), aGpu({ uuid: second, index: 1, temperatureC: 40 })],
      alerts: [],
    });
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    const sparkline = (uuid: string, metric: string) =>
      element.querySelector(`tr[data-uuid="${uuid}"] svg[data-metric="${metric}"]`);
    return { fixture, element, sparkline };
  }

  it('draws a day of temperature and power per GPU, labelled with min, max and latest', async () => {
    const { fixture, element, sparkline } = await open();
    const first = http.expectOne((r) => r.url === `/api/v1/gpus/${gpuUuid}/history`);
    expect(first.request.params.get('step')).toBe('600');
    first.flush(aHistory([aPoint(30, 52), aPoint(20, 71), aPoint(10, 58)]));
    http.expectOne((r) => r.url === `/api/v1/gpus/${second}/history`).flush(aHistory([], second));
    await settle(fixture);

    expect(sparkline(gpuUuid, 'temperatureC')?.getAttribute('aria-label')).toBe(
      'Temperature of puma-proxmox-005 GPU 0, last 24 hours: min 52 °C, max 71 °C, latest 58 °C',
    );
    expect(sparkline(gpuUuid, 'powerDrawW')?.getAttribute('aria-label')).toContain('max 284 W');
    expect(sparkline(gpuUuid, 'temperatureC')?.querySelector('path')?.getAttribute('d')).toMatch(
      /^M [\d.]+ [\d.]+ L /,
    );
    // A GPU that has not reported a reading worth charting yet says so instead of an empty box.
    expect(sparkline(second, 'temperatureC')).toBeNull();
    expect(element.querySelector(`tr[data-uuid="${second}"]`)?.textContent).toContain('no history yet');
    expect(element.querySelector(`tr[data-uuid="${gpuUuid}"] a`)?.getAttribute('href')).toBe(
      `/gpus/${gpuUuid}`,
    );
  });

  it('updates the row and extends its sparkline as heartbeats stream in', async () => {
    const { fixture, element, sparkline } = await open();
    http.expectOne((r) => r.url === `/api/v1/gpus/${gpuUuid}/history`).flush(aHistory([aPoint(10, 58)]));
    http.expectOne((r) => r.url === `/api/v1/gpus/${second}/history`).flush(aHistory([], second));
    await settle(fixture);

    const sampledAt = new Date(Date.parse(aPoint(0, 0).at) + 30_000).toISOString();
    events.next({
      type: 'gpu.reading',
      data: { host: 'puma-proxmox-005', gpus: [aGpu({ temperatureC: 83, sampledAt })] },
    });
    await settle(fixture);

    const row = element.querySelector(`tr[data-uuid="${gpuUuid}"]`)?.textContent ?? '';
    expect(row).toContain('83 °C');
    expect(sparkline(gpuUuid, 'temperatureC')?.getAttribute('aria-label')).toContain(
      'min 58 °C, max 83 °C, latest 83 °C',
    );
    http.verify();
  });

  it('loads the history of a GPU first seen in a live event', async () => {
    const { fixture, element } = await open();
    http.expectOne((r) => r.url === `/api/v1/gpus/${gpuUuid}/history`).flush(aHistory([aPoint(10, 58)]));
    http.expectOne((r) => r.url === `/api/v1/gpus/${second}/history`).flush(aHistory([], second));
    const third = 'GPU-1c0ffee0-0000-4000-8000-000000000003';
    events.next({
      type: 'gpu.reading',
      data: { host: 'puma-proxmox-006', gpus: [aGpu({ uuid: third, host: 'puma-proxmox-006' })] },
    });
    await settle(fixture);
    expect(element.querySelectorAll('tbody tr')).toHaveLength(3);
    http.expectOne((r) => r.url === `/api/v1/gpus/${third}/history`).flush(aHistory([aPoint(1, 60)], third));
    await settle(fixture);
    const lone = element.querySelector(`tr[data-uuid="${third}"] svg`);
    expect(lone?.getAttribute('aria-label')).toContain('min 60 °C, max 60 °C, latest 60 °C');
    // One reading so far: a dot at the right end, where the line will grow from.
    expect(lone?.querySelector('path')?.getAttribute('d')).toBe('M 116 14 L 120 14');
  });
});
