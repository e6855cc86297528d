import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ClusterDrift } from '@skyy/contracts';
import { settle } from '../../../testing/settle.ts';
import { HostVmDrift } from './host-vm-drift.ts';

const clusterId = '00000000-0000-4000-8000-0000000000b1';
const summary = { create: 0, update: 0, replace: 0, delete: 0, keep: 0, unchanged: 0 };

function aDrift(actions: ClusterDrift['plan']['actions']): ClusterDrift {
  return {
    clusterId,
    plan: { actions, errors: [], warnings: [], summary },
    rendered: '',
    hasChanges: actions.some((a) => a.action !== 'unchanged'),
    deletes: false,
    files: ['puma-proxmox-001.yaml', 'puma-proxmox-002.yaml'],
  };
}

describe('Host VM drift', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function show(drift: ClusterDrift) {
    const fixture = TestBed.createComponent(HostVmDrift);
    fixture.componentRef.setInput('clusterId', clusterId);
    fixture.componentRef.setInput('hostname', 'puma-proxmox-001');
    await settle(fixture);
    http.expectOne(`/api/v1/clusters/${clusterId}/drift`).flush(drift);
    await settle(fixture);
    return fixture.nativeElement as HTMLElement;
  }

  it("lists only this host's VMs that differ from its YAML", async () => {
    const element = await show(
      aDrift([
        {
          action: 'update',
          name: 'gpu-vm-1',
          node: 'puma-proxmox-001',
          vmid: 101,
          changes: [{ key: 'memory', from: '8192', to: '16384', rebootRequired: true }],
          resizes: [],
        },
        { action: 'create', name: 'elsewhere', node: 'puma-proxmox-002' },
      ]),
    );
    expect(element.textContent).toContain('drift');
    expect(element.textContent).toContain('memory: 8192 → 16384');
    expect(element.textContent).not.toContain('elsewhere');
    // The VM's name opens its page.
    expect(element.querySelector('a[href$="/guests/101"]')?.textContent).toContain('gpu-vm-1');
  });

  it('says in sync when every declared VM matches', async () => {
    const element = await show(
      aDrift([
        { action: 'unchanged', name: 'gpu-vm-1', node: 'puma-proxmox-001', vmid: 101 },
        { action: 'create', name: 'elsewhere', node: 'puma-proxmox-002' },
      ]),
    );
    expect(element.querySelector('[role="status"]')?.textContent).toContain('in sync');
    expect(element.textContent).toContain('1 declared VMs match');
  });

  it('says so when the host declares no VMs', async () => {
    const element = await show(aDrift([{ action: 'create', name: 'elsewhere', node: 'puma-proxmox-002' }]));
    expect(element.textContent).toContain('declares no VMs');
  });
});
