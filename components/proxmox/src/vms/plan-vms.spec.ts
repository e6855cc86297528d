import { vmSchema, type DesiredVmInput } from '@skyy/contracts';
import { describe, expect, it } from 'vitest';
import type { GuestResource } from '../client/cluster.ts';
import type { PciDevice } from '../client/pci.ts';
import { planVms } from './plan-vms.ts';
import { renderPlan } from './render-plan.ts';
import type { ClusterSnapshot, DesiredHostVms, PlanOptions, VmPlan } from './types.ts';

interface ActualVm {
  vmid: number;
  node?: string;
  name: string;
  status?: 'running' | 'stopped';
  tags?: string[];
  template?: boolean;
  config?: Record<string, string>;
}

const gpu = (id: string, name = 'GA102 [GeForce RTX 3090]'): PciDevice => ({
  id,
  class: '0x030000',
  vendor: '0x10de',
  device: '0x2204',
  vendor_name: 'NVIDIA Corporation',
  device_name: name,
  iommugroup: 1,
});

/** A VM exactly as `base` declares it, so tests change one thing at a time. */
const baseConfig = (vmid: number, name: string): Record<string, string> => ({
  name,
  cores: '2',
  sockets: '1',
  memory: '4096',
  onboot: '0',
  protection: '0',
  tags: 'skyy-created;skyy-managed',
  scsi0: `ceph-vm:vm-${vmid}-disk-0,iothread=1,size=32G`,
  net0: 'virtio=02:00:2E:8C:5E:78,bridge=vmbr1,tag=502',
});

const base: DesiredVmInput = {
  name: 'web-1',
  template: 'ubuntu-2404-cloud',
  cores: 2,
  memory: 4096,
  disks: [{ storage: 'ceph-vm', size: '32G' }],
  nics: [{ bridge: 'vmbr1', vlan: 502, mac: '02:00:2e:8c:5e:78' }],
};

const configOf = (vm: ActualVm) => vm.config ?? baseConfig(vm.vmid, vm.name);

/** web-1 as Skyy created it from `template`: the source recorded in a tag. */
const clonedFrom = (template: string): ActualVm => ({
  vmid: 101,
  name: 'web-1',
  tags: ['skyy-created', 'skyy-managed', `skyy-template.${template}`],
});
const oldTemplate: ActualVm = {
  vmid: 9001,
  name: 'ubuntu-2204-cloud',
  template: true,
  config: { name: 'ubuntu-2204-cloud', template: '1' },
};

function snapshot(vms: ActualVm[], extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot {
  const all: ActualVm[] = [
    {
      vmid: 9000,
      name: 'ubuntu-2404-cloud',
      template: true,
      config: { name: 'ubuntu-2404-cloud', template: '1' },
    },
    ...vms,
  ];
  const guests: GuestResource[] = all.map((vm) => ({
    type: 'qemu',
    vmid: vm.vmid,
    node: vm.node ?? 'pve1',
    name: vm.name,
    status: vm.status ?? 'running',
    template: vm.template ?? false,
    tags: vm.tags ?? configOf(vm).tags?.split(';').filter(Boolean) ?? [],
    lock: undefined,
    maxcpu: 2,
    maxmem: 4096 * 1024 ** 2,
    maxdisk: 0,
  }));
  return {
    nodes: [
      { name: 'pve1', online: true },
      { name: 'pve2', online: true },
    ],
    guests,
    configs: Object.fromEntries(all.map((vm) => [String(vm.vmid), { config: configOf(vm), digest: 'd' }])),
    pciDevices: {
      pve1: [gpu('0000:01:00.0'), gpu('0000:21:00.0')],
      pve2: [gpu('0000:01:00.0', 'AD102 [GeForce RTX 4090]')],
    },
    mappings: [
      {
        id: 'rtx3090',
        description: '',
        entries: [
          { node: 'pve1', path: '0000:01:00.0', id: undefined, iommugroup: undefined },
          { node: 'pve1', path: '0000:21:00.0', id: undefined, iommugroup: undefined },
        ],
        checks: [],
      },
    ],
    storages: [],
    ...extra,
  };
}

function hosts(...entries: [string, DesiredVmInput[]][]): DesiredHostVms[] {
  return entries.map(([node, vms]) => ({
    node,
    file: `hosts/${node}.yaml`,
    vms: vms.map((vm) => vmSchema.parse(vm)),
  }));
}

/** The plan in one line per action or error, as a reviewer would summarize it. */
function describePlan(plan: VmPlan): string[] {
  const lines = plan.actions.map((a) => {
    switch (a.action) {
      case 'create':
        return `create ${a.name} on ${a.node} from ${a.source.kind === 'clone' ? a.source.template.name : 'scratch'}${a.target.config.hostpci0 ? ` gpu ${a.target.config.hostpci0}` : ''}`;
      case 'update': {
        const changes = a.changes.map(
          (c) => `${c.key} ${c.from ?? '∅'} -> ${c.to ?? '∅'}${c.rebootRequired ? ' (restart)' : ''}`,
        );
        const resizes = a.resizes.map((r) => `resize ${r.disk} ${r.fromGiB}G -> ${r.toGiB}G`);
        const power = a.powerOn ? ['power on'] : [];
        const migrate = a.migrateFrom ? [`migrate from ${a.migrateFrom}`] : [];
        return `update ${a.name}: ${[...migrate, ...changes, ...resizes, ...power].join(', ')}`;
      }
      case 'replace':
        return `replace ${a.name}: ${a.reasons.join('; ')}`;
      case 'keep':
        return `keep ${a.name}: ${a.reason}`;
      default:
        return `${a.action} ${a.name}`;
    }
  });
  return [...lines, ...plan.errors.map((e) => `error ${e.vm ?? e.node}: ${e.message}`)];
}

interface Case {
  name: string;
  desired: DesiredHostVms[];
  actual: ActualVm[];
  options?: PlanOptions;
  expected: string[];
}

const cases: Case[] = [
  {
    name: 'creates a declared VM that does not exist, cloned from its template',
    desired: hosts(['pve1', [base]]),
    actual: [],
    expected: ['create web-1 on pve1 from ubuntu-2404-cloud'],
  },
  {
    name: 'leaves a VM that matches alone',
    desired: hosts(['pve1', [base]]),
    actual: [{ vmid: 101, name: 'web-1' }],
    expected: ['unchanged web-1'],
  },
  {
    name: 'updates field by field and flags what waits for a restart of a running VM',
    desired: hosts(['pve1', [{ ...base, cores: 4, onboot: true, tags: ['web'] }]]),
    actual: [{ vmid: 101, name: 'web-1' }],
    expected: [
      'update web-1: cores 2 -> 4 (restart), onboot 0 -> 1, tags skyy-created;skyy-managed -> skyy-created;skyy-managed;web',
    ],
  },
  {
    name: 'needs no restart for a stopped VM, and starts it',
    desired: hosts(['pve1', [{ ...base, memory: '8G' }]]),
    actual: [{ vmid: 101, name: 'web-1', status: 'stopped' }],
    expected: ['update web-1: memory 4096 -> 8192, power on'],
  },
  {
    name: 'compares values by meaning, not text',
    desired: hosts([
      'pve1',
      [
        {
          ...base,
          nics: [{ bridge: 'vmbr1', vlan: 502 }],
          cloud_init: { ssh_keys: ['ssh-ed25519 AAAA a@b'] },
        },
      ],
    ]),
    actual: [
      {
        vmid: 101,
        name: 'web-1',
        config: {
          ...baseConfig(101, 'web-1'),
          memory: 'current=4096',
          tags: 'skyy-managed;skyy-created',
          sshkeys: 'ssh-ed25519%20AAAA%20a%40b%0A',
          ide2: 'ceph-vm:vm-101-cloudinit,media=cdrom',
        },
      },
    ],
    expected: ['unchanged web-1'],
  },
  {
    name: 'keeps the MAC PVE generated when none is declared, and drops a VLAN no longer declared',
    desired: hosts(['pve1', [{ ...base, nics: [{ bridge: 'vmbr1' }, { bridge: 'vmbr0', model: 'e1000' }] }]]),
    actual: [{ vmid: 101, name: 'web-1' }],
    expected: [
      'update web-1: net0 virtio=02:00:2E:8C:5E:78,bridge=vmbr1,tag=502 -> virtio=02:00:2E:8C:5E:78,bridge=vmbr1, net1 ∅ -> e1000,bridge=vmbr0',
    ],
  },
  {
    name: 'removes NICs and GPUs beyond the declared ones',
    desired: hosts(['pve1', [{ ...base, gpus: [] }]]),
    actual: [
      {
        vmid: 101,
        name: 'web-1',
        config: {
          ...baseConfig(101, 'web-1'),
          net1: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
          hostpci0: '0000:21:00,pcie=1',
        },
      },
    ],
    expected: [
      'update web-1: net1 virtio=BC:24:11:00:00:01,bridge=vmbr0 -> ∅, hostpci0 0000:21:00,pcie=1 -> ∅ (restart)',
    ],
  },
  {
    name: 'grows disks and adds missing ones',
    desired: hosts([
      'pve1',
      [
        {
          ...base,
          disks: [
            { storage: 'ceph-vm', size: '64G' },
            { storage: 'local-lvm', size: 100 },
          ],
        },
      ],
    ]),
    actual: [{ vmid: 101, name: 'web-1' }],
    expected: ['update web-1: scsi1 ∅ -> local-lvm:100,iothread=1, resize scsi0 32G -> 64G'],
  },
  {
    name: 'refuses to replace a VM whose disk would shrink unless deleting is allowed',
    desired: hosts(['pve1', [{ ...base, disks: [{ storage: 'ceph-vm', size: '16G' }] }]]),
    actual: [{ vmid: 101, name: 'web-1' }],
    expected: [
      "error web-1: VM 'web-1' must be replaced (disk scsi0 is 32G, declared 16G (disks cannot shrink)) but deleting is not allowed (pass allowDelete / --allow-delete)",
    ],
  },
  {
    name: 'replaces it when deleting is allowed',
    desired: hosts(['pve1', [{ ...base, disks: [{ storage: 'local-lvm', size: '32G' }] }]]),
    actual: [{ vmid: 101, name: 'web-1' }],
    options: { allowDelete: true },
    expected: ['replace web-1: disk scsi0 is on ceph-vm, declared on local-lvm'],
  },
  {
    name: 'never replaces a protected VM',
    desired: hosts(['pve1', [{ ...base, vmid: 555, protect: true }]]),
    actual: [{ vmid: 101, name: 'web-1', config: { ...baseConfig(101, 'web-1'), protection: '1' } }],
    options: { allowDelete: true },
    expected: [
      "error web-1: VM 'web-1' must be replaced (VMID is 101, declared 555) but it is protected (protect: true)",
    ],
  },
  {
    name: 'replaces a VM cloned from another template than the declared one when deleting is allowed',
    desired: hosts(['pve1', [base]]),
    actual: [clonedFrom('ubuntu-2204-cloud'), oldTemplate],
    options: { allowDelete: true },
    expected: ['replace web-1: cloned from template ubuntu-2204-cloud, declared template ubuntu-2404-cloud'],
  },
  {
    name: 'says a template change needs a replacement that deleting must allow',
    desired: hosts(['pve1', [base]]),
    actual: [clonedFrom('ubuntu-2204-cloud'), oldTemplate],
    expected: [
      "error web-1: VM 'web-1' must be replaced (cloned from template ubuntu-2204-cloud, declared template ubuntu-2404-cloud) but deleting is not allowed (pass allowDelete / --allow-delete)",
    ],
  },
  {
    name: 'never replaces a protected VM for a template change',
    desired: hosts(['pve1', [{ ...base, protect: true }]]),
    actual: [
      {
        ...clonedFrom('ubuntu-2204-cloud'),
        config: { ...configOf(clonedFrom('ubuntu-2204-cloud')), protection: '1' },
      },
      oldTemplate,
    ],
    options: { allowDelete: true },
    expected: [
      "error web-1: VM 'web-1' must be replaced (cloned from template ubuntu-2204-cloud, declared template ubuntu-2404-cloud) but it is protected (protect: true)",
    ],
  },
  {
    name: 'leaves a VM cloned from the declared template alone, also when the template is named by VMID',
    desired: hosts(['pve1', [base, { ...base, name: 'web-2', template: 9000, nics: undefined }]]),
    actual: [
      clonedFrom('ubuntu-2404-cloud'),
      { ...clonedFrom('ubuntu-2404-cloud'), vmid: 102, name: 'web-2' },
    ],
    expected: ['unchanged web-1', 'unchanged web-2'],
  },
  {
    name: 'replaces a fresh VM declared as a clone now, and a clone declared fresh',
    desired: hosts(['pve1', [base, { ...base, name: 'web-2', template: undefined, nics: undefined }]]),
    actual: [
      { ...clonedFrom('ubuntu-2404-cloud'), tags: ['skyy-created', 'skyy-managed', 'skyy-no-template'] },
      { ...clonedFrom('ubuntu-2404-cloud'), vmid: 102, name: 'web-2' },
    ],
    options: { allowDelete: true },
    expected: [
      'replace web-1: created without a template, declared as a clone of ubuntu-2404-cloud',
      'replace web-2: cloned from template ubuntu-2404-cloud, declared without a template (a fresh VM)',
    ],
  },
  {
    name: 'does not replace VMs created before Skyy recorded their template',
    desired: hosts(['pve1', [{ ...base, template: 'ubuntu-2204-cloud' }]]),
    actual: [{ vmid: 101, name: 'web-1' }, oldTemplate],
    options: { allowDelete: true },
    expected: ['unchanged web-1'],
  },
  {
    name: 'does not adopt a VM that only shares the name',
    desired: hosts(['pve1', [base]]),
    actual: [{ vmid: 120, name: 'web-1', tags: [] }],
    expected: [
      "error web-1: VM 'web-1' exists (VMID 120 on pve1) without the skyy-managed tag; Skyy does not adopt VMs by name: add the tag in Proxmox to manage it, or rename one of them",
    ],
  },
  {
    name: 'manages an adopted VM (tagged by hand) without marking it as created',
    desired: hosts(['pve1', [base]]),
    actual: [{ vmid: 120, name: 'web-1', config: { ...baseConfig(120, 'web-1'), tags: 'skyy-managed' } }],
    expected: ['unchanged web-1'],
  },
  {
    name: 'keeps undeclared Skyy VMs unless deleting is allowed',
    desired: hosts(['pve1', []]),
    actual: [{ vmid: 101, name: 'old-1' }],
    expected: ['keep old-1: not declared; pass allowDelete (--allow-delete) to delete it'],
  },
  {
    name: 'deletes undeclared VMs Skyy created when allowed, never adopted or protected ones, nor VMs on undeclared nodes',
    desired: hosts(['pve1', []]),
    actual: [
      { vmid: 101, name: 'old-1' },
      { vmid: 102, name: 'adopted', config: { ...baseConfig(102, 'adopted'), tags: 'skyy-managed' } },
      { vmid: 103, name: 'guarded', config: { ...baseConfig(103, 'guarded'), protection: '1' } },
      { vmid: 104, name: 'elsewhere', node: 'pve2' },
      { vmid: 105, name: 'not-ours', tags: [] },
    ],
    options: { allowDelete: true },
    expected: [
      'keep adopted: not declared; adopted, not created by Skyy (no skyy-created tag), so never deleted',
      'keep guarded: not declared; protection is set in Proxmox',
      'delete old-1',
    ],
  },
  {
    name: 'finishes a creation a crash interrupted (clone marked in its description)',
    desired: hosts(['pve1', [base]]),
    actual: [
      {
        vmid: 130,
        name: 'web-1',
        tags: [],
        config: { ...baseConfig(130, 'web-1'), tags: '', description: 'skyy-managed: creating web-1' },
      },
    ],
    expected: [
      'update web-1: tags  -> skyy-created;skyy-managed, description skyy-managed: creating web-1 -> ∅',
    ],
  },
  {
    name: 'migrates a VM declared on another node',
    desired: hosts(['pve2', [base]]),
    actual: [{ vmid: 101, name: 'web-1', status: 'stopped' }],
    expected: ['update web-1: migrate from pve1, power on'],
  },
  {
    name: 'picks any free GPU of a model, skipping GPUs other VMs hold',
    desired: hosts(['pve1', [{ ...base, name: 'gpu-1', gpus: [{ model: 'RTX 3090' }] }]]),
    actual: [
      { vmid: 100, name: 'vm-100', tags: [], config: { name: 'vm-100', hostpci0: '0000:01:00,pcie=1' } },
    ],
    expected: ['create gpu-1 on pve1 from ubuntu-2404-cloud gpu 0000:21:00,pcie=1'],
  },
  {
    name: 'keeps the GPU a VM already has',
    desired: hosts(['pve1', [{ ...base, gpus: [{ model: 'rtx 3090' }] }]]),
    actual: [
      {
        vmid: 101,
        name: 'web-1',
        config: { ...baseConfig(101, 'web-1'), machine: 'q35', hostpci0: '0000:21:00,pcie=1' },
      },
    ],
    expected: ['unchanged web-1'],
  },
  {
    name: 'reports one GPU wanted by two VMs',
    desired: hosts([
      'pve1',
      [
        { ...base, name: 'a', gpus: [{ pci: '0000:21:00' }] },
        { ...base, name: 'b', nics: [], gpus: [{ pci: '21:00' }] },
      ],
    ]),
    actual: [],
    expected: [
      'create a on pve1 from ubuntu-2404-cloud gpu 0000:21:00,pcie=1',
      'error b: GPU 0000:21:00 on pve1 is also assigned to VM a',
    ],
  },
  {
    name: 'reports models with no free GPU left',
    desired: hosts(['pve1', [{ ...base, name: 'a', gpus: [{ model: 'RTX 3090' }, { model: 'RTX 3090' }] }]]),
    actual: [
      { vmid: 100, name: 'vm-100', tags: [], config: { name: 'vm-100', hostpci0: '0000:01:00,pcie=1' } },
    ],
    expected: [
      'error a: no free GPU matching "RTX 3090" on node pve1: 0000:01:00 used by vm-100, 0000:21:00 used by a',
    ],
  },
  {
    name: 'reports a GPU address that is not on the VM’s node, and a mapping missing there',
    desired: hosts([
      'pve2',
      [
        { ...base, name: 'a', gpus: [{ pci: '0000:41:00' }] },
        { ...base, name: 'b', nics: [], gpus: [{ mapping: 'rtx3090' }] },
      ],
    ]),
    actual: [],
    expected: [
      'error a: GPU 0000:41:00 is not on node pve2 (GPUs there: 0000:01:00)',
      "error b: PCI mapping 'rtx3090' has no device on node pve2",
    ],
  },
  {
    name: 'counts PCI mapping users against the mapping’s devices on the node',
    desired: hosts([
      'pve1',
      [
        { ...base, name: 'a', gpus: [{ mapping: 'rtx3090' }] },
        { ...base, name: 'b', nics: [], gpus: [{ mapping: 'rtx3090' }] },
      ],
    ]),
    actual: [
      { vmid: 100, name: 'vm-100', tags: [], config: { name: 'vm-100', hostpci0: '0000:01:00,pcie=1' } },
    ],
    expected: [
      'create a on pve1 from ubuntu-2404-cloud gpu mapping=rtx3090,pcie=1',
      "error b: PCI mapping 'rtx3090' has 1 free device(s) on pve1 for 2 VMs (a, b)",
    ],
  },
  {
    name: 'will not migrate VMs with GPUs on its own',
    desired: hosts(['pve2', [{ ...base, gpus: [{ model: 'RTX 4090' }] }]]),
    actual: [
      {
        vmid: 101,
        name: 'web-1',
        config: { ...baseConfig(101, 'web-1'), machine: 'q35', hostpci0: '0000:21:00,pcie=1' },
      },
    ],
    expected: [
      "error web-1: VM 'web-1' runs on pve1 but is declared on pve2; VMs with GPUs are not migrated automatically: migrate it in Proxmox or declare it in pve1's host file",
    ],
  },
  {
    name: 'reports names declared twice, unknown templates, taken VMIDs and unknown nodes',
    desired: hosts(
      ['pve1', [base, { ...base, name: 'b', template: 'debian-13' }, { ...base, name: 'c', vmid: 9000 }]],
      ['pve2', [base]],
      ['pve9', []],
    ),
    actual: [],
    expected: [
      'create web-1 on pve1 from ubuntu-2404-cloud',
      'error c: VMID 9000 is already used by ubuntu-2404-cloud on pve1',
      "error web-1: VM name 'web-1' is declared twice (hosts/pve1.yaml and hosts/pve2.yaml)",
      'error pve9: node pve9 (hosts/pve9.yaml) is not in the cluster',
      "error b: template 'debian-13' not found (templates: ubuntu-2404-cloud (9000))",
    ],
  },
];

describe('planVms', () => {
  it.each(cases)('$name', ({ desired, actual, options, expected }) => {
    expect(describePlan(planVms(desired, snapshot(actual), options))).toEqual(expected);
  });

  it('says when a declared VM sits on an offline node', () => {
    const offline = snapshot([{ vmid: 101, name: 'web-1', node: 'pve2' }]);
    offline.nodes = [
      { name: 'pve1', online: true },
      { name: 'pve2', online: false },
    ];
    delete offline.configs['101'];
    expect(describePlan(planVms(hosts(['pve1', [base]]), offline))).toEqual([
      'error web-1: VMID 101 is on node pve2, which is offline',
    ]);
  });

  it('creates fresh VMs with every declared setting and Skyy’s tags', () => {
    const plan = planVms(
      hosts([
        'pve1',
        [
          {
            ...base,
            template: undefined,
            cpu_type: 'host',
            gpus: [{ mapping: 'rtx3090', primary: true }],
            cloud_init: { user: 'ops' },
            protect: true,
          },
        ],
      ]),
      snapshot([]),
    );
    const create = plan.actions[0];
    expect(create?.action === 'create' && create.target.config).toEqual({
      name: 'web-1',
      cores: '2',
      sockets: '1',
      memory: '4096',
      onboot: '0',
      protection: '1',
      cpu: 'host',
      tags: 'skyy-created;skyy-managed;skyy-no-template',
      net0: 'virtio=02:00:2E:8C:5E:78,bridge=vmbr1,tag=502',
      hostpci0: 'mapping=rtx3090,pcie=1,x-vga=1',
      machine: 'q35',
      ciuser: 'ops',
    });
    expect(create?.action === 'create' && create.target.cloudInitStorage).toBe('ceph-vm');
  });
});

describe('renderPlan', () => {
  it('reads like Terraform and ends with the counts and the errors', () => {
    const plan = planVms(
      hosts([
        'pve1',
        [base, { ...base, name: 'db-1', cores: 8, nics: [] }, { ...base, name: 'x', template: 'nope' }],
      ]),
      snapshot([
        {
          vmid: 102,
          name: 'db-1',
          config: { ...baseConfig(102, 'db-1'), net0: 'virtio=BC:24:11:00:00:02,bridge=vmbr0' },
        },
        { vmid: 103, name: 'old' },
      ]),
      { allowDelete: true },
    );
    const text = renderPlan(plan);
    expect(text).toContain(
      '  # web-1 will be created on pve1 (full clone of ubuntu-2404-cloud (9000 on pve1), VMID assigned at apply)',
    );
    expect(text).toContain('  + vm "web-1" {');
    expect(text).toContain('      + cores      = "2"');
    expect(text).toContain('      ~ cores = "2" -> "8"   (restart required)');
    expect(text).toContain('      - net0  = "virtio=BC:24:11:00:00:02,bridge=vmbr0"');
    expect(text).toContain('  # old (VMID 103 on pve1) will be destroyed (stopped first)');
    expect(text).toContain('Plan: 1 to create, 1 to update, 0 to replace, 1 to delete, 0 unchanged.');
    expect(text).toContain("  ✗ x: template 'nope' not found (templates: ubuntu-2404-cloud (9000))");
  });

  it('gives the reason for a replacement, and records the template of the new VM', () => {
    const plan = planVms(hosts(['pve1', [base]]), snapshot([clonedFrom('ubuntu-2204-cloud'), oldTemplate]), {
      allowDelete: true,
    });
    const text = renderPlan(plan);
    expect(text).toContain(
      '  # web-1 (VMID 101 on pve1) must be replaced: cloned from template ubuntu-2204-cloud, declared template ubuntu-2404-cloud',
    );
    expect(text).toContain(
      '  # the new VM: full clone of ubuntu-2404-cloud (9000 on pve1), VMID assigned at apply',
    );
    expect(text).toContain(
      '      + tags       = "skyy-created;skyy-managed;skyy-template.ubuntu-2404-cloud"',
    );
    expect(text).toContain('Plan: 0 to create, 0 to update, 1 to replace, 0 to delete, 0 unchanged.');
  });

  it('says so when there is nothing to do', () => {
    const text = renderPlan(planVms(hosts(['pve1', [base]]), snapshot([{ vmid: 101, name: 'web-1' }])));
    expect(text).toBe(
      'No changes. The VMs match the desired state.\nPlan: 0 to create, 0 to update, 0 to replace, 0 to delete, 1 unchanged.',
    );
  });
});
