import { provideHttpClient } from '@angular/common/http';
import { settle } from '../../../testing/settle.ts';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import { aHost } from '../../../testing/fixtures.ts';
import { HostForm } from './host-form.ts';

describe('Host form', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function render() {
    const fixture = TestBed.createComponent(HostForm);
    await settle(fixture);
    http.match(() => true).forEach((pending) => pending.flush({ items: [], nextCursor: null, total: 0 }));
    const element: HTMLElement = fixture.nativeElement;
    const type = (name: string, value: string) => {
      const input = element.querySelector<HTMLInputElement | HTMLTextAreaElement>(
        `[formcontrolname="${name}"]`,
      )!;
      input.value = value;
      input.dispatchEvent(new Event('input'));
    };
    const submit = async () => {
      element.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await settle(fixture);
    };
    return { fixture, element, type, submit };
  }

  it('shows the API schema’s message beside the field and sends nothing', async () => {
    const form = await render();
    form.type('hostname', 'puma-proxmox-009');
    form.type('ipAddress', '10.0.0.999');
    await form.submit();
    expect(form.element.textContent).toContain('expected an IPv4 or IPv6 address');
    http.expectNone('/api/v1/hosts');
  });

  it('creates the host with roles, tags and settings, then opens it', async () => {
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    const form = await render();
    form.type('hostname', 'puma-proxmox-009');
    form.type('ipAddress', '10.10.0.19');
    form.type('roles', 'proxmox, ceph');
    form.type('tags', 'rack-b');
    form.type('settings', '{"storage": {"ceph": {"enabled": true, "osd_devices": ["/dev/sdb"]}}}');
    await form.submit();
    const create = http.expectOne('/api/v1/hosts');
    expect(create.request.body).toMatchObject({
      hostname: 'puma-proxmox-009',
      ipAddress: '10.10.0.19',
      roles: ['proxmox', 'ceph'],
      tags: ['rack-b'],
      settings: { gpu: false, storage: { ceph: { enabled: true, osd_devices: ['/dev/sdb'] } } },
      clusterId: null,
    });
    create.flush(aHost({ id: '00000000-0000-4000-8000-0000000000b2', hostname: 'puma-proxmox-009' }));
    await settle(form.fixture);
    expect(navigate).toHaveBeenCalledWith(['/hosts', '00000000-0000-4000-8000-0000000000b2']);
  });

  it('puts the server’s field errors (problem+json) on the fields', async () => {
    const form = await render();
    form.type('hostname', 'puma-proxmox-001');
    form.type('ipAddress', '10.10.0.11');
    await form.submit();
    http.expectOne('/api/v1/hosts').flush(
      {
        type: 'https://skyy.dev/problems/conflict',
        title: 'Conflict',
        status: 409,
        errors: [{ path: 'hostname', message: 'a host with this hostname exists' }],
      },
      { status: 409, statusText: 'Conflict' },
    );
    await settle(form.fixture);
    expect(form.element.querySelector('mat-error')?.textContent).toContain(
      'a host with this hostname exists',
    );
  });
});
