import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { GpuConfig } from '@skyy/contracts';
import { aUser } from '../../../testing/fixtures.ts';
import { anAgent } from '../../../testing/gpu-fixtures.ts';
import { settle } from '../../../testing/settle.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { GpuConfigPage } from './gpu-config.ts';

const yaml = 'poll_interval_sec: 5\nprotection:\n  enable_auto_shutdown: false\n  shutdown_temp: 90\n';

function aConfig(overrides: Partial<GpuConfig> = {}): GpuConfig {
  return {
    host: null,
    scope: 'default',
    yaml,
    etag: '"abc"',
    updatedAt: '2026-11-27T08:00:00.000Z',
    updatedBy: 'operator-user',
    ...overrides,
  };
}

describe('GPU config editor', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        { provide: Confirm, useValue: { ask: async () => true } },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function open(role: 'viewer' | 'operator', host: string | undefined, config: GpuConfig | null) {
    TestBed.inject(SessionState).signedIn({ user: aUser(role), csrfToken: 't' });
    const fixture = TestBed.createComponent(GpuConfigPage);
    if (host) fixture.componentRef.setInput('host', host);
    await settle(fixture);
    http.expectOne('/api/v1/gpu-agents').flush({ items: [anAgent()] });
    const path = host ? `/api/v1/gpus/config/${host}` : '/api/v1/gpus/config';
    const get = http.expectOne(path);
    if (config) get.flush(config);
    else
      get.flush(
        { type: 'about:blank', title: 'Not Found', status: 404 },
        { status: 404, statusText: 'Not Found' },
      );
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    const editor = element.querySelector('textarea') as HTMLTextAreaElement;
    const button = (label: string) =>
      [...element.querySelectorAll('button')].find((b) => b.textContent?.trim() === label) as
        HTMLButtonElement | undefined;
    const type = (text: string) => {
      editor.value = text;
      editor.dispatchEvent(new Event('input'));
    };
    return { fixture, element, editor, button, type, path };
  }

  it('shows each problem of a refused config with its line, and puts the cursor there', async () => {
    const { fixture, element, editor, button, type } = await open('operator', undefined, aConfig());
    expect(editor.readOnly).toBe(false);
    const bad = yaml.replace('shutdown_temp: 90', 'shutdown_temp: hot');
    type(bad);
    await settle(fixture);
    button('Save')?.click();
    await settle(fixture);
    const put = http.expectOne('/api/v1/gpus/config');
    expect(put.request.method).toBe('PUT');
    expect(put.request.body).toEqual({ yaml: bad });
    put.flush(
      {
        type: 'about:blank',
        title: 'Unprocessable Content',
        status: 422,
        detail: 'The GPU config is invalid; nothing was saved.',
        errors: [
          {
            path: 'body.yaml.protection.shutdown_temp',
            message: 'line 4, column 3: Invalid input: expected number, received string',
          },
        ],
      },
      { status: 422, statusText: 'Unprocessable Content' },
    );
    await settle(fixture);

    const problems = element
      .querySelector('[aria-label="Problems in the config"]')
      ?.textContent?.replace(/\s+/g, ' ');
    expect(problems).toContain(
      'Line 4, column 3: Invalid input: expected number, received string (protection.shutdown_temp)',
    );
    expect(element.textContent).toContain('nothing was saved');
    expect(bad.slice(editor.selectionStart)).toMatch(/^shutdown_temp: hot/);
    expect(element.textContent).toContain('Line 4, column 3');

    // Moving away and clicking the problem brings the cursor back.
    editor.setSelectionRange(0, 0);
    (element.querySelector('.problems button') as HTMLButtonElement).click();
    expect(editor.selectionStart).toBe(bad.indexOf('shutdown_temp'));
  });

  it('saves a fixed config and says the agents get it within seconds without a restart', async () => {
    const { fixture, element, button, type } = await open('operator', undefined, aConfig());
    const fixed = yaml.replace('90', '92');
    type(fixed);
    await settle(fixture);
    button('Save')?.click();
    await settle(fixture);
    http.expectOne('/api/v1/gpus/config').flush(aConfig({ yaml: fixed }));
    await settle(fixture);
    expect(element.querySelector('[role="status"]')?.textContent).toContain(
      'gets it within seconds, without a restart (older agents at their next poll, within 60 s)',
    );
    expect(button('Save')?.disabled).toBe(true);
  });

  it('is read-only for viewers', async () => {
    const { element, editor, button } = await open(
      'viewer',
      'puma-proxmox-005',
      aConfig({ host: 'puma-proxmox-005', scope: 'host' }),
    );
    expect(editor.readOnly).toBe(true);
    expect(editor.value).toBe(yaml);
    expect(button('Save')).toBeUndefined();
    expect(button('Revert to fleet default')).toBeUndefined();
    expect(element.textContent).toContain('Read only');
  });

  it('lets an operator override the fleet default for one host, starting from the default', async () => {
    const { fixture, element, editor, button, type } = await open(
      'operator',
      'puma-proxmox-005',
      aConfig({ host: 'puma-proxmox-005', scope: 'default' }),
    );
    expect(element.textContent).toContain('has no config of its own and runs with the fleet default');
    expect(editor.readOnly).toBe(true);
    expect(button('Save')).toBeUndefined();
    button('Override for this host')?.click();
    await settle(fixture);
    expect(editor.readOnly).toBe(false);
    type(yaml.replace('poll_interval_sec: 5', 'poll_interval_sec: 2'));
    await settle(fixture);
    button('Save')?.click();
    await settle(fixture);
    const put = http.expectOne('/api/v1/gpus/config/puma-proxmox-005');
    expect(put.request.method).toBe('PUT');
    put.flush(aConfig({ host: 'puma-proxmox-005', scope: 'host', yaml: yaml.replace('5', '2') }));
    await settle(fixture);
    expect(element.textContent).toContain('has a config of its own');
    expect(element.textContent).toContain('The agent on puma-proxmox-005 gets it within seconds');
    expect(button('Revert to fleet default')).toBeDefined();
  });

  it('reverts a host to the fleet default', async () => {
    const { fixture, element, button } = await open(
      'operator',
      'puma-proxmox-005',
      aConfig({ host: 'puma-proxmox-005', scope: 'host' }),
    );
    button('Revert to fleet default')?.click();
    await settle(fixture);
    const deletion = http.expectOne('/api/v1/gpus/config/puma-proxmox-005');
    expect(deletion.request.method).toBe('DELETE');
    deletion.flush('', { status: 204, statusText: 'No Content' });
    await settle(fixture);
    http.expectOne('/api/v1/gpus/config/puma-proxmox-005').flush(aConfig({ host: 'puma-proxmox-005' }));
    await settle(fixture);
    expect(element.textContent).toContain('runs with the fleet default');
    expect(button('Revert to fleet default')).toBeUndefined();
  });

  it('starts an empty fleet default when there is none yet', async () => {
    const { fixture, element, editor, button, type } = await open('operator', undefined, null);
    expect(element.textContent).toContain('No fleet default yet');
    expect(editor.value).toBe('');
    type(yaml);
    await settle(fixture);
    button('Save')?.click();
    await settle(fixture);
    expect(http.expectOne('/api/v1/gpus/config').request.body).toEqual({ yaml });
  });
});
