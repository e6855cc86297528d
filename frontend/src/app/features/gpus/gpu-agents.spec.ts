import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { Subject } from 'rxjs';
import { aUser } from '../../../testing/fixtures.ts';
import { aChassis, anAgent } from '../../../testing/gpu-fixtures.ts';
import { settle } from '../../../testing/settle.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, type LiveEvent } from '../../core/events/live-events.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { GpuAgentsPage } from './gpu-agents.ts';

describe('GPU agents', () => {
  let http: HttpTestingController;
  let confirmAnswer: boolean;
  let events: Subject<LiveEvent>;

  beforeEach(() => {
    events = new Subject<LiveEvent>();
    confirmAnswer = true;
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: Confirm, useValue: { ask: async () => confirmAnswer } },
      ],
    });
    Object.defineProperty(TestBed.inject(LiveEvents), 'events$', { value: events.asObservable() });
    http = TestBed.inject(HttpTestingController);
  });

  /** What the chassis cell says, one entry per part (status, CPU, each zone, why). */
  const chassisLines = (element: HTMLElement) =>
    [...(element.querySelector('td.chassis')?.children ?? [])].map((part) => part.textContent?.trim());

  async function open(role: 'viewer' | 'operator' | 'admin', agents = [anAgent()]) {
    TestBed.inject(SessionState).signedIn({ user: aUser(role), csrfToken: 't' });
    const fixture = TestBed.createComponent(GpuAgentsPage);
    await settle(fixture);
    http.expectOne('/api/v1/gpu-agents').flush({ items: agents });
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    const button = (label: string) =>
      [...element.querySelectorAll('button')].find((b) => b.textContent?.trim() === label) as
        HTMLButtonElement | undefined;
    return { fixture, element, button };
  }

  it('lists each agent with its status, last heartbeat, version, mode and GPUs', async () => {
    const { element } = await open('viewer', [
      anAgent(),
      anAgent({
        id: '00000000-0000-4000-8000-0000000000b0',
        host: 'puma-proxmox-009',
        status: 'never-seen',
        lastSeenAt: null,
        version: null,
        mode: null,
        source: null,
        configSource: null,
        gpuCount: 0,
      }),
    ]);
    const rows = [...element.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('td')].map((td) => td.textContent?.replace(/\s+/g, ' ').trim()),
    );
    expect(rows[0]).toEqual([
      'puma-proxmox-005',
      'ok',
      expect.stringMatching(/ago$/),
      '0.1.0',
      'dry-run readings from nvidia-smi',
      'server gpu_config.yaml',
      '2',
      'not controlled',
      'skyyga_ab12…',
    ]);
    expect(rows[1]?.slice(0, 4)).toEqual(['puma-proxmox-009', 'never-seen', 'never', '—']);
    expect(element.querySelector('a[href="/gpus/config/puma-proxmox-005"]')).not.toBeNull();
  });

  it('shows each host’s chassis fans: status, CPU temperature and every zone’s duty', async () => {
    const { element } = await open('viewer', [anAgent({ chassis: aChassis() })]);
    expect(chassisLines(element)).toEqual([
      'ok',
      'CPU 47 °C',
      'zone 0x00: 50 %',
      'zone 0x01: 50 %',
      '47 °C ≥ 47 °C: 40 → 50 %',
    ]);
    const cell = element.querySelector('td.chassis');
    expect(cell?.classList.contains('failsafe')).toBe(false);
    expect(cell?.querySelector('.status')?.classList.contains('ok')).toBe(true);
  });

  it('highlights a chassis in fail-safe with what went wrong, and follows heartbeats live', async () => {
    const failsafe = aChassis({
      status: 'failsafe',
      cpuTemperatureC: null,
      zones: [
        { zone: '0x00', dutyPct: 100, appliedPct: 100 },
        { zone: '0x01', dutyPct: 100, appliedPct: 60 },
      ],
      alert: 'sensors -j failed 3 times',
    });
    const { fixture, element } = await open('viewer', [anAgent({ chassis: failsafe })]);
    const cell = element.querySelector('td.chassis');
    expect(cell?.classList.contains('failsafe')).toBe(true);
    expect(cell?.querySelector('.status')?.classList.contains('bad')).toBe(true);
    expect(chassisLines(element)).toEqual([
      'failsafe',
      'CPU —',
      'zone 0x00: 100 %',
      'zone 0x01: 100 % (BMC at 60 %)',
      'sensors -j failed 3 times',
    ]);

    // The next heartbeat (ok again) arrives as a live event: the tab reads the agents again.
    events.next({ type: 'gpu.reading', data: { host: 'puma-proxmox-005', gpus: [] } });
    events.next({ type: 'gpu.alert', data: {} });
    await settle(fixture);
    http.expectOne('/api/v1/gpu-agents').flush({ items: [anAgent({ chassis: aChassis() })] });
    await settle(fixture);
    // The second event came while the first load ran: one more load, not one per event.
    http.expectOne('/api/v1/gpu-agents').flush({ items: [anAgent({ chassis: aChassis() })] });
    await settle(fixture);
    http.expectNone('/api/v1/gpu-agents');
    expect(element.querySelector('td.chassis')?.classList.contains('failsafe')).toBe(false);
    expect(chassisLines(element).slice(0, 2)).toEqual(['ok', 'CPU 47 °C']);
  });

  it.each(['viewer', 'operator'] as const)(
    'gives a %s no token controls (administrators issue and revoke)',
    async (role) => {
      const { element, button } = await open(role);
      expect(element.textContent).not.toContain('Issue an agent token');
      expect(button('Revoke')).toBeUndefined();
    },
  );

  it('issues a token once and shows it with the commands that start the agent on that host', async () => {
    const { fixture, element, button } = await open('admin', []);
    const host = element.querySelector('input[formcontrolname="host"]') as HTMLInputElement;
    host.value = 'puma-proxmox-007';
    host.dispatchEvent(new Event('input'));
    button('Issue token')?.click();
    await settle(fixture);
    const post = http.expectOne('/api/v1/gpu-agents');
    expect(post.request.method).toBe('POST');
    expect(post.request.body).toEqual({ host: 'puma-proxmox-007' });
    post.flush({
      agent: anAgent({ host: 'puma-proxmox-007', status: 'never-seen' }),
      token: 'skyyga_secret123',
    });
    await settle(fixture);
    http.expectOne('/api/v1/gpu-agents').flush({ items: [anAgent({ host: 'puma-proxmox-007' })] });
    await settle(fixture);

    expect(element.querySelector('[data-testid="agent-token"]')?.textContent).toBe('skyyga_secret123');
    // The emptied field is ready for the next host, not flagged as missing.
    expect(host.value).toBe('');
    expect(element.querySelector('mat-error')).toBeNull();
    const origin = window.location.origin;
    expect(element.querySelector('[data-testid="run-command"]')?.textContent).toBe(
      `npm run gpu-agent -- --server ${origin} --token-file agent.token --host puma-proxmox-007`,
    );
    expect(element.querySelector('[data-testid="install-command"]')?.textContent).toBe(
      `sudo components/gpu-agent/scripts/install.sh --server ${origin} --token-file ./agent.token --host puma-proxmox-007`,
    );
  });

  it('puts a host that already has a token under the field, and checks the name before asking', async () => {
    const { fixture, element, button } = await open('admin', []);
    const host = element.querySelector('input[formcontrolname="host"]') as HTMLInputElement;
    host.value = 'not a host!';
    host.dispatchEvent(new Event('input'));
    button('Issue token')?.click();
    await settle(fixture);
    http.expectNone('/api/v1/gpu-agents');
    expect(element.querySelector('mat-error')?.textContent).toContain('letters, digits');

    host.value = 'puma-proxmox-005';
    host.dispatchEvent(new Event('input'));
    button('Issue token')?.click();
    await settle(fixture);
    http.expectOne('/api/v1/gpu-agents').flush(
      {
        type: 'about:blank',
        title: 'Conflict',
        status: 409,
        detail: 'Host puma-proxmox-005 already has an agent token; revoke it first to issue a new one.',
        errors: [{ path: 'body.host', message: 'already has an agent token' }],
      },
      { status: 409, statusText: 'Conflict' },
    );
    await settle(fixture);
    expect(element.querySelector('mat-error')?.textContent).toContain('already has an agent token');
    expect(element.querySelector('[data-testid="agent-token"]')).toBeNull();
  });

  it('revokes a token only after the administrator confirms', async () => {
    const { fixture, button } = await open('admin');
    confirmAnswer = false;
    button('Revoke')?.click();
    await settle(fixture);
    http.expectNone(`/api/v1/gpu-agents/${anAgent().id}`);

    confirmAnswer = true;
    button('Revoke')?.click();
    await settle(fixture);
    const revoke = http.expectOne(`/api/v1/gpu-agents/${anAgent().id}`);
    expect(revoke.request.method).toBe('DELETE');
    revoke.flush('', { status: 204, statusText: 'No Content' });
    await settle(fixture);
    http.expectOne('/api/v1/gpu-agents').flush({ items: [] });
    await settle(fixture);
    expect(fixture.nativeElement.textContent).toContain('No GPU agent has a token yet.');
  });
});
