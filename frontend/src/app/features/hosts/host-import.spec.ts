import { provideHttpClient } from '@angular/common/http';
import { settle } from '../../../testing/settle.ts';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import { HostImport } from './host-import.ts';

const hostYaml = 'hostname: puma-proxmox-001\nip_address: 10.10.0.11\n';

describe('Host import', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  it('checks dropped YAML files first, then imports them when all are valid', async () => {
    const fixture = TestBed.createComponent(HostImport);
    const element: HTMLElement = fixture.nativeElement;
    const adding = fixture.componentInstance.add([
      new File([hostYaml], 'puma-proxmox-001.yaml'),
      new File(['notes'], 'README.txt'),
    ]);
    await settle(fixture);
    const check = http.expectOne('/api/v1/hosts/import');
    expect(check.request.body).toEqual({
      files: [{ name: 'puma-proxmox-001.yaml', content: hostYaml }],
      dryRun: true,
    });
    check.flush({
      applied: false,
      files: [
        {
          name: 'puma-proxmox-001.yaml',
          status: 'created',
          hostname: 'puma-proxmox-001',
          hostId: null,
          errors: [],
        },
      ],
    });
    await adding;
    await settle(fixture);
    expect(element.textContent).toContain('All 1 files are valid');
    expect(element.textContent).toContain('will be created');
    expect(element.textContent).toContain('Not YAML, left out: README.txt');

    const apply = [...element.querySelectorAll('button')].find((b) =>
      b.textContent?.includes('Import 1 files'),
    )!;
    expect(apply.disabled).toBe(false);
    apply.click();
    const write = http.expectOne('/api/v1/hosts/import');
    expect(write.request.body.dryRun).toBe(false);
    write.flush({
      applied: true,
      files: [
        {
          name: 'puma-proxmox-001.yaml',
          status: 'created',
          hostname: 'puma-proxmox-001',
          hostId: '00000000-0000-4000-8000-0000000000a1',
          errors: [],
        },
      ],
    });
    await settle(fixture);
    expect(element.textContent).toContain('Imported 1 files');
    expect(element.querySelector('a[href="/hosts/00000000-0000-4000-8000-0000000000a1"]')).not.toBeNull();
  });

  it('shows each problem with file:line:column and offers no import while a file is invalid', async () => {
    const fixture = TestBed.createComponent(HostImport);
    const element: HTMLElement = fixture.nativeElement;
    const adding = fixture.componentInstance.add([new File(['hostname: x\nip_address: nope\n'], 'bad.yaml')]);
    await settle(fixture);
    http.expectOne('/api/v1/hosts/import').flush(
      {
        applied: false,
        files: [
          {
            name: 'bad.yaml',
            status: 'invalid',
            hostname: 'x',
            hostId: null,
            errors: [{ line: 2, column: 1, path: 'ip_address', message: 'expected an IPv4 or IPv6 address' }],
          },
        ],
      },
      { status: 422, statusText: 'Unprocessable Content' },
    );
    await adding;
    await settle(fixture);
    expect(element.textContent).toContain('1 of 1 files need fixing');
    expect(element.textContent?.replace(/\s+/g, ' ')).toContain(
      'bad.yaml:2:1 ip_address: expected an IPv4 or IPv6 address',
    );
    const apply = [...element.querySelectorAll('button')].find((b) =>
      b.textContent?.includes('Import 1 files'),
    )!;
    expect(apply.disabled).toBe(true);
  });
});
