import { provideHttpClient } from '@angular/common/http';
import { HttpTestingController, provideHttpClientTesting } from '@angular/common/http/testing';
import { TestBed } from '@angular/core/testing';
import { provideRouter, Router } from '@angular/router';
import type { ClusterPlan } from '@skyy/contracts';
import { settle } from '../../../testing/settle.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { ClusterPlanPage, problemsByFile } from './cluster-plan.ts';

const clusterId = '00000000-0000-4000-8000-0000000000b1';
const jobId = '00000000-0000-4000-8000-0000000000e1';
const hostYaml = 'hostname: puma-proxmox-001\nvms:\n  - name: gpu-vm-1\n    cores: 8\n';

function aPlan(overrides: Partial<ClusterPlan> = {}): ClusterPlan {
  return {
    clusterId,
    plan: {
      actions: [
        {
          action: 'create',
          name: 'gpu-vm-2',
          node: 'puma-proxmox-001',
          vmid: 102,
          source: { kind: 'clone', template: { vmid: 9000, node: 'puma-proxmox-001', name: 'ubuntu-24' } },
        },
        {
          action: 'update',
          name: 'gpu-vm-1',
          node: 'puma-proxmox-001',
          vmid: 101,
          running: true,
          changes: [
            { key: 'cores', from: '4', to: '8', rebootRequired: true },
            { key: 'description', from: 'old', to: 'new', rebootRequired: false },
          ],
          resizes: [{ disk: 'scsi0', fromGiB: 32, toGiB: 64 }],
          powerOn: false,
          rebootRequired: true,
        },
        { action: 'delete', name: 'old-vm', node: 'puma-proxmox-001', vmid: 120, running: true },
        { action: 'unchanged', name: 'quiet-vm', node: 'puma-proxmox-001', vmid: 103 },
      ],
      errors: [],
      warnings: [],
      summary: { create: 1, update: 1, replace: 0, delete: 1, keep: 0, unchanged: 1 },
    },
    rendered: '+ gpu-vm-2 (create)\n~ gpu-vm-1\n    cores: 4 -> 8\n- old-vm (delete)\n',
    hasChanges: true,
    deletes: true,
    ...overrides,
  };
}

describe('Cluster plan page', () => {
  let http: HttpTestingController;
  let asked: { title: string; message: string }[];
  let answer: boolean;

  beforeEach(() => {
    asked = [];
    answer = true;
    TestBed.configureTestingModule({
      providers: [
        provideRouter([]),
        provideHttpClient(),
        provideHttpClientTesting(),
        {
          provide: Confirm,
          useValue: {
            ask: (options: { title: string; message: string }) => {
              asked.push(options);
              return Promise.resolve(answer);
            },
          },
        },
      ],
    });
    http = TestBed.inject(HttpTestingController);
  });

  async function planned(plan: ClusterPlan) {
    const fixture = TestBed.createComponent(ClusterPlanPage);
    fixture.componentRef.setInput('id', clusterId);
    const element: HTMLElement = fixture.nativeElement;
    const adding = fixture.componentInstance.add([new File([hostYaml], 'puma-proxmox-001.yaml')]);
    await settle(fixture);
    const request = http.expectOne(`/api/v1/clusters/${clusterId}/plan`);
    expect(request.request.body).toEqual({
      files: [{ name: 'puma-proxmox-001.yaml', content: hostYaml }],
      allowDelete: false,
    });
    request.flush(plan);
    await adding;
    await settle(fixture);
    return { fixture, element };
  }

  it('shows the plan text and each change field by field, restart needed marked', async () => {
    const { element } = await planned(aPlan());
    expect(element.querySelector('pre[aria-label="Plan text"]')?.textContent).toContain('cores: 4 -> 8');
    const update = element.querySelector('tr[data-action="update"]')!;
    expect(update.textContent).toContain('cores: 4 → 8');
    expect(update.textContent).toContain('restart needed');
    expect(update.textContent).toContain('scsi0: grow 32 → 64 GiB');
    expect(element.querySelector('tr[data-action="create"]')?.textContent).toContain(
      'clone of ubuntu-24 (9000)',
    );
    expect(element.querySelector('tr[data-action="delete"]')?.textContent).toContain('stopped, then deleted');
    expect(element.querySelector('tr[data-action="unchanged"]')).toBeNull();
    expect(element.textContent).toContain('1 to create, 1 to update, 0 to replace, 1 to delete');
  });

  it('names the VMs it deletes before applying, then opens the job', async () => {
    const { fixture, element } = await planned(aPlan());
    const navigate = vi.spyOn(TestBed.inject(Router), 'navigate').mockResolvedValue(true);
    [...element.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Apply')!.click();
    await settle(fixture);
    expect(asked).toHaveLength(1);
    expect(asked[0]!.message).toContain('old-vm on puma-proxmox-001 (delete)');
    const apply = http.expectOne(`/api/v1/clusters/${clusterId}/apply`);
    expect(apply.request.body).toMatchObject({
      confirmDeletes: true,
      allowDelete: false,
      restartWhenNeeded: false,
    });
    apply.flush({ jobId, plan: aPlan() });
    await settle(fixture);
    expect(navigate).toHaveBeenCalledWith(['/jobs', jobId]);
  });

  it('applies nothing when the deletion is not confirmed', async () => {
    answer = false;
    const { fixture, element } = await planned(aPlan());
    [...element.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Apply')!.click();
    await settle(fixture);
    expect(asked).toHaveLength(1);
    http.expectNone(`/api/v1/clusters/${clusterId}/apply`);
  });

  it('offers no apply while the plan has errors, and shows them', async () => {
    const base = aPlan();
    const { element } = await planned(
      aPlan({
        plan: {
          ...base.plan,
          errors: [{ vm: 'gpu-vm-2', node: 'puma-proxmox-001', message: 'GPU 0000:01:00 is already used' }],
        },
      }),
    );
    expect(element.textContent).toContain('GPU 0000:01:00 is already used');
    const apply = [...element.querySelectorAll('button')].find((b) => b.textContent?.trim() === 'Apply')!;
    expect(apply.disabled).toBe(true);
  });

  it('shows 422 problems with file:line:column under their file', async () => {
    const fixture = TestBed.createComponent(ClusterPlanPage);
    fixture.componentRef.setInput('id', clusterId);
    const element: HTMLElement = fixture.nativeElement;
    const adding = fixture.componentInstance.add([
      new File(['hostname: a\nvms: 3\n'], 'a.yaml'),
      new File(['hostname: b\n'], 'b.yaml'),
    ]);
    await settle(fixture);
    http.expectOne(`/api/v1/clusters/${clusterId}/plan`).flush(
      {
        type: 'about:blank',
        title: 'Invalid host files',
        status: 422,
        errors: [{ path: 'a.yaml:2:6', message: 'vms: expected a list' }],
      },
      { status: 422, statusText: 'Unprocessable Entity' },
    );
    await adding;
    await settle(fixture);
    const section = element.querySelector('section[aria-label="Problems in a.yaml"]');
    expect(section?.textContent).toContain('a.yaml:2:6 vms: expected a list');
    expect(element.querySelector('section[aria-label="Problems in b.yaml"]')).toBeNull();
    expect(element.querySelector('pre[aria-label="Plan text"]')).toBeNull();
  });

  it('groups problems by file and keeps the ones about a VM under its name', () => {
    expect(
      problemsByFile([
        { path: 'a.yaml:1:1', message: 'x' },
        { path: 'b.yaml:3:2', message: 'y' },
        { path: 'a.yaml:4:5', message: 'z' },
        { path: 'gpu-vm-1', message: 'GPU taken' },
      ]),
    ).toEqual([
      {
        file: 'a.yaml',
        problems: [
          { at: 'a.yaml:1:1', message: 'x' },
          { at: 'a.yaml:4:5', message: 'z' },
        ],
      },
      { file: 'b.yaml', problems: [{ at: 'b.yaml:3:2', message: 'y' }] },
      { file: 'gpu-vm-1', problems: [{ at: 'gpu-vm-1', message: 'GPU taken' }] },
    ]);
  });
});
