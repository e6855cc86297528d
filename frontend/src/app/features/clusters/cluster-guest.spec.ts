import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter } from '@angular/router';
import type { ClusterDrift, ClusterGpu, ClusterGuest, ClusterGuestDetail, Role } from '@skyy/contracts';
import { settle } from '../../../testing/settle.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { ClusterGuestPage } from './cluster-guest.ts';

const clusterId = '00000000-0000-4000-8000-0000000000b1';
const summary = { create: 0, update: 0, replace: 0, delete: 0, keep: 0, unchanged: 0 };
const node = 'puma-proxmox-001';

function aGuest(overrides: Partial<ClusterGuest> = {}): ClusterGuest {
  return {
    id: '00000000-0000-4000-8000-0000000000c1',
    clusterId,
    vmid: 101,
    type: 'qemu',
    node,
    name: 'gpu-vm-1',
    status: 'running',
    template: false,
    cores: 8,
    memoryMiB: 16384,
    tags: ['skyy-managed', 'skyy-created', 'skyy-template.ubuntu-24'],
    disks: [{ slot: 'scsi0', storage: 'local-lvm', volume: 'local-lvm:vm-101-disk-0', sizeGiB: 64 }],
    nics: [{ slot: 'net0', model: 'virtio', mac: 'BC:24:11:00:00:01', bridge: 'vmbr0', vlan: 20 }],
    gpus: [{ slot: 'hostpci0', pci: null, mapping: 'rtx3090' }],
    cpuUsage: 0.25,
    uptimeSeconds: 3600,
    syncedAt: '2026-11-27T10:00:00.000Z',
    ...overrides,
  };
}

const mappedGpu: ClusterGpu = {
  id: '00000000-0000-4000-8000-0000000000d1',
  clusterId,
  node,
  pciId: '0000:01:00',
  name: 'GeForce RTX 3090',
  vendorId: '10de',
  deviceId: '2204',
  mappings: ['rtx3090'],
  usedBy: null,
  maybeUsedBy: [{ vmid: 101, name: 'gpu-vm-1', mapping: 'rtx3090', candidates: 2 }],
};

function aDrift(
  actions: ClusterDrift['plan']['actions'],
  errors: ClusterDrift['plan']['errors'] = [],
): ClusterDrift {
  return {
    clusterId,
    plan: { actions, errors, warnings: [], summary },
    rendered: '',
    hasChanges: actions.some((a) => a.action !== 'unchanged'),
    deletes: false,
    files: [`${node}.yaml`],
  };
}

describe('VM page', () => {
  let http: HttpTestingController;

  beforeEach(() => {
    TestBed.configureTestingModule({
      providers: [provideRouter([]), provideHttpClient(), provideHttpClientTesting()],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function open(detail: ClusterGuestDetail | null, drift: ClusterDrift | 'fails') {
    const fixture = TestBed.createComponent(ClusterGuestPage);
    fixture.componentRef.setInput('id', clusterId);
    fixture.componentRef.setInput('vmid', '101');
    await settle(fixture);
    const element = fixture.nativeElement as HTMLElement;
    expect(element.textContent).toContain('Loading…');
    const guestRequest = http.expectOne(`/api/v1/clusters/${clusterId}/guests/101`);
    if (detail) guestRequest.flush(detail);
    else
      guestRequest.flush(
        { type: 'about:blank', title: 'Not found', status: 404, detail: 'Guest 101 does not exist.' },
        { status: 404, statusText: 'Not Found' },
      );
    const driftRequest = http.expectOne(`/api/v1/clusters/${clusterId}/drift`);
    if (drift === 'fails')
      driftRequest.flush(
        { type: 'about:blank', title: 'Bad gateway', status: 502, detail: 'Proxmox did not answer.' },
        { status: 502, statusText: 'Bad Gateway' },
      );
    else driftRequest.flush(drift);
    await settle(fixture);
    return element;
  }

  const driftStatus = (element: HTMLElement) =>
    element.querySelector('[aria-labelledby="guest-drift"] [role="status"]')?.textContent ?? '';

  it('shows the guest with its disks, NICs, GPUs as attributed, explained tags, and "in sync"', async () => {
    const element = await open(
      { guest: aGuest(), gpus: [mappedGpu] },
      aDrift([{ action: 'unchanged', name: 'gpu-vm-1', node, vmid: 101 }]),
    );
    const text = element.textContent ?? '';
    expect(element.querySelector('h1')?.textContent).toContain('gpu-vm-1');
    expect(text).toContain('16.0 GiB');
    expect(text).toContain('local-lvm:vm-101-disk-0');
    expect(text).toContain('vmbr0');
    expect(text).toContain('BC:24:11:00:00:01');
    expect(text).toContain('mapping rtx3090');
    expect(text).toMatch(/holds one of 2 rtx3090 GPUs here/);
    expect(text).toContain('Skyy cloned it from the template ubuntu-24');
    expect(text).toContain('Skyy created it, so Skyy may delete it');
    expect(driftStatus(element)).toContain('in sync');
    expect(driftStatus(element)).toContain(`${node}'s host file`);
  });

  it('shows declared against actual field by field and what waits for a restart', async () => {
    const element = await open(
      { guest: aGuest(), gpus: [] },
      aDrift([
        {
          action: 'update',
          name: 'gpu-vm-1',
          node,
          vmid: 101,
          running: true,
          changes: [
            { key: 'memory', from: '8192', to: '16384', rebootRequired: true },
            { key: 'tags', from: 'skyy-managed', to: 'skyy-managed;web', rebootRequired: false },
          ],
          resizes: [{ disk: 'scsi0', fromGiB: 32, toGiB: 64 }],
          powerOn: false,
          rebootRequired: true,
        },
      ]),
    );
    expect(driftStatus(element)).toContain('drift');
    expect(driftStatus(element)).toContain('restart needed');
    const rows = [...element.querySelectorAll('table[aria-label="Declared and actual"] tbody tr')].map(
      (row) => [...row.querySelectorAll('td')].map((cell) => cell.textContent?.trim()),
    );
    expect(rows).toEqual([
      ['memory', '16384', '8192', 'after a restart'],
      ['tags', 'skyy-managed;web', 'skyy-managed', 'on apply'],
      ['scsi0', '64 GiB', '32 GiB', 'on apply'],
    ]);
  });

  it('says when Skyy does not manage the VM, even when a managed namesake is declared', async () => {
    const element = await open(
      { guest: aGuest({ tags: ['web'] }), gpus: [] },
      aDrift(
        // The declared gpu-vm-1 is the managed VM 201 elsewhere, not this one.
        [{ action: 'unchanged', name: 'gpu-vm-1', node: 'puma-proxmox-002', vmid: 201 }],
        [
          {
            vm: 'gpu-vm-1',
            node,
            message: "VM 'gpu-vm-1' exists (VMID 101 on puma-proxmox-001) without the skyy-managed tag",
          },
        ],
      ),
    );
    expect(driftStatus(element)).toContain('not managed by Skyy');
    expect(driftStatus(element)).toContain('no skyy-managed tag');
    expect(element.textContent).toContain('without the skyy-managed tag');
  });

  it('says when a Skyy-created VM is no longer declared, and that --allow-delete would delete it', async () => {
    const element = await open(
      { guest: aGuest(), gpus: [] },
      aDrift([
        {
          action: 'keep',
          name: 'gpu-vm-1',
          node,
          vmid: 101,
          reason: 'not declared; pass allowDelete (--allow-delete) to delete it',
        },
      ]),
    );
    expect(driftStatus(element)).toContain('no host file declares it');
    expect(driftStatus(element)).toContain('--allow-delete would delete it');
  });

  it('says an adopted VM that is not declared is never deleted', async () => {
    const element = await open({ guest: aGuest({ tags: ['skyy-managed'] }), gpus: [] }, aDrift([]));
    expect(driftStatus(element)).toContain('Skyy never deletes it');
  });

  it('links operators to the Plan page, not viewers', async () => {
    const signIn = (role: Role) =>
      TestBed.inject(SessionState).signedIn({
        user: {
          id: '00000000-0000-4000-8000-0000000000a1',
          username: role,
          email: null,
          role,
          customerId: null,
          disabled: false,
          createdAt: '2026-11-01T00:00:00.000Z',
          updatedAt: '2026-11-01T00:00:00.000Z',
          lastLoginAt: null,
          passwordChangedAt: '2026-11-01T00:00:00.000Z',
        },
        csrfToken: 'csrf',
      });
    const planLinks = (element: HTMLElement) =>
      [...element.querySelectorAll('a')]
        .filter((a) => a.textContent?.includes('Plan VMs'))
        .map((a) => a.getAttribute('href'));
    signIn('viewer');
    expect(planLinks(await open({ guest: aGuest(), gpus: [] }, aDrift([])))).toEqual([]);
    signIn('operator');
    expect(planLinks(await open({ guest: aGuest(), gpus: [] }, aDrift([])))).toContain(
      `/clusters/${clusterId}/plan`,
    );
  });

  it('says a VMID the last sync did not find is not there, and keeps the drift failure apart', async () => {
    const missing = await open(null, aDrift([]));
    expect(missing.querySelector('[role="alert"]')?.textContent).toContain('not in the last sync');

    const fixture = await open({ guest: aGuest(), gpus: [] }, 'fails');
    expect(fixture.textContent).toContain('gpu-vm-1');
    expect(driftStatus(fixture)).toContain('Drift unavailable: Proxmox did not answer.');
  });
});
