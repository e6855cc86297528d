import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { aUser } from '../../../testing/fixtures.ts';
import { anAgent } from '../../../testing/gpu-fixtures.ts';
import { settle } from '../../../testing/settle.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { GpuAgentsPage } from './gpu-agents.ts';

describe('GPU agents', () => {
  let http: HttpTestingController;
  let confirmAnswer: boolean;

  beforeEach(() => {
    confirmAnswer = true;
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: Confirm, useValue: { ask: async () => confirmAnswer } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

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
      'skyyga_ab12…',
    ]);
    expect(rows[1]?.slice(0, 4)).toEqual(['puma-proxmox-009', 'never-seen', 'never', '—']);
    expect(element.querySelector('a[href="/gpus/config/puma-proxmox-005"]')).not.toBeNull();
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
