import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { createRandom } from './random.ts';

/**
 * The whole simulated cluster, as saved to and loaded from a JSON file. Guest configs are kept
 * exactly as PVE keeps them in /etc/pve: `key → string` lines, with pending changes beside them.
 */
const pciDeviceSchema = z.object({
  id: z.string(),
  class: z.string(),
  vendor: z.string(),
  device: z.string(),
  vendor_name: z.string(),
  device_name: z.string(),
  subsystem_vendor: z.string(),
  subsystem_device: z.string(),
  iommugroup: z.number().int(),
  mdev: z.boolean().optional(),
});
export type SimPciDevice = z.infer<typeof pciDeviceSchema>;

const nodeSchema = z.object({
  name: z.string(),
  nodeid: z.number().int(),
  ip: z.string(),
  online: z.boolean(),
  maxcpu: z.number().int(),
  maxmem: z.number().int(),
  cpuModel: z.string(),
  /** Seconds since boot when the simulator started; uptime grows from there. */
  bootedAt: z.number(),
  pci: z.array(pciDeviceSchema),
});
export type SimNode = z.infer<typeof nodeSchema>;

const storageSchema = z.object({
  storage: z.string(),
  type: z.enum(['dir', 'lvmthin', 'rbd', 'nfs', 'zfspool']),
  content: z.string(),
  shared: z.boolean(),
  /** Nodes the storage is available on; absent means every node. */
  nodes: z.array(z.string()).optional(),
  total: z.number().int(),
  used: z.number().int(),
});
export type SimStorage = z.infer<typeof storageSchema>;

const guestSchema = z.object({
  vmid: z.number().int(),
  node: z.string(),
  type: z.enum(['qemu', 'lxc']),
  status: z.enum(['running', 'stopped']),
  config: z.record(z.string(), z.string()),
  pending: z.record(z.string(), z.string()).default({}),
  pendingDelete: z.array(z.string()).default([]),
  /** Epoch seconds of the last start, for uptime. */
  startedAt: z.number().optional(),
  /** PCI functions a running VM holds, claimed at start. */
  activePci: z.array(z.string()).optional(),
});
export type SimGuest = z.infer<typeof guestSchema>;

const mappingSchema = z.object({ id: z.string(), description: z.string(), map: z.array(z.string()) });
export type SimPciMapping = z.infer<typeof mappingSchema>;

export const cephFlagNames = [
  'nobackfill',
  'nodeep-scrub',
  'nodown',
  'noin',
  'noout',
  'norebalance',
  'norecover',
  'noscrub',
  'notieragent',
  'noup',
  'pause',
] as const;
export type CephFlag = (typeof cephFlagNames)[number];

const cephSchema = z.object({
  fsid: z.string(),
  osds: z.number().int(),
  osdsUp: z.number().int(),
  bytesTotal: z.number(),
  bytesUsed: z.number(),
  flags: z.record(z.string(), z.boolean()),
});
export type SimCeph = z.infer<typeof cephSchema>;

export const simStateSchema = z.object({
  clusterName: z.string(),
  configVersion: z.number().int(),
  nodes: z.array(nodeSchema).min(1),
  storages: z.array(storageSchema),
  guests: z.array(guestSchema),
  mappings: z.array(mappingSchema),
  ceph: cephSchema.nullable(),
  /** `USER@REALM!TOKENID` → secret. */
  tokens: z.record(z.string(), z.string()),
});
export type SimState = z.infer<typeof simStateSchema>;

export interface GenerateOptions {
  nodes?: number;
  nodePrefix?: string;
  /** Plain VMs (not Skyy-managed) per node; the first on each GPU node holds GPU 0 by raw PCI address. */
  vmsPerNode?: number;
  containersPerNode?: number;
  gpusPerNode?: number;
  gpuModel?: 'RTX 3090' | 'RTX 4090' | 'A100';
  ceph?: boolean;
  seed?: number;
  token?: { id: string; secret: string };
}

const GPU_MODELS = {
  'RTX 3090': { device: '0x2204', name: 'GA102 [GeForce RTX 3090]', audio: '0x1aef', mapping: 'rtx3090' },
  'RTX 4090': { device: '0x2684', name: 'AD102 [GeForce RTX 4090]', audio: '0x22ba', mapping: 'rtx4090' },
  A100: { device: '0x20b5', name: 'GA100 [A100 PCIe 80GB]', audio: '', mapping: 'a100' },
} as const;

const GiB = 1024 ** 3;

/** A deterministic cluster for a seed: nodes with GPUs, storages, a cloud-init template, a few guests. */
export function generateCluster(options: GenerateOptions = {}): SimState {
  const random = createRandom(options.seed ?? 1);
  const nodeCount = options.nodes ?? 3;
  const prefix = options.nodePrefix ?? 'pve';
  const gpusPerNode = options.gpusPerNode ?? 2;
  const model = GPU_MODELS[options.gpuModel ?? 'RTX 3090'];
  const withCeph = options.ceph ?? true;
  const now = Math.floor(Date.now() / 1000);

  const nodes: SimNode[] = [];
  const mappingEntries: string[] = [];
  for (let n = 1; n <= nodeCount; n++) {
    const name = `${prefix}${n}`;
    const pci: SimPciDevice[] = [
      device(
        '0000:00:01.0',
        '0x060400',
        '0x1022',
        '0x1483',
        'Advanced Micro Devices, Inc. [AMD]',
        'Starship/Matisse GPP Bridge',
        1,
      ),
      device(
        '0000:c1:00.0',
        '0x020000',
        '0x15b3',
        '0x1017',
        'Mellanox Technologies',
        'MT27800 Family [ConnectX-5]',
        40,
      ),
      device(
        '0000:c2:00.0',
        '0x010802',
        '0x144d',
        '0xa80a',
        'Samsung Electronics Co Ltd',
        'NVMe SSD Controller PM9A1/PM9A3/980PRO',
        41,
      ),
    ];
    for (let g = 0; g < gpusPerNode; g++) {
      const bus = (0x01 + g * 0x20).toString(16).padStart(2, '0');
      const group = 10 + g;
      pci.push(
        device(
          `0000:${bus}:00.0`,
          '0x030000',
          '0x10de',
          model.device,
          'NVIDIA Corporation',
          model.name,
          group,
        ),
      );
      if (model.audio) {
        pci.push(
          device(
            `0000:${bus}:00.1`,
            '0x040300',
            '0x10de',
            model.audio,
            'NVIDIA Corporation',
            `${model.name.split(' ')[0]} High Definition Audio Controller`,
            group,
          ),
        );
      }
      mappingEntries.push(
        `id=10de:${model.device.slice(2)},iommugroup=${group},node=${name},path=0000:${bus}:00.0`,
      );
    }
    nodes.push({
      name,
      nodeid: n,
      ip: `10.10.0.${10 + n}`,
      online: true,
      maxcpu: 64,
      maxmem: 512 * GiB,
      cpuModel: 'AMD EPYC 7543 32-Core Processor',
      bootedAt: now - 86_400 * (3 + n),
      pci,
    });
  }

  const storages: SimStorage[] = [
    {
      storage: 'local',
      type: 'dir',
      content: 'iso,vztmpl,backup,snippets',
      shared: false,
      total: 100 * GiB,
      used: 12 * GiB,
    },
    {
      storage: 'local-lvm',
      type: 'lvmthin',
      content: 'images,rootdir',
      shared: false,
      total: 3600 * GiB,
      used: 400 * GiB,
    },
  ];
  if (withCeph) {
    storages.push({
      storage: 'ceph-vm',
      type: 'rbd',
      content: 'images,rootdir',
      shared: true,
      total: 60_000 * GiB,
      used: 9_000 * GiB,
    });
  }
  const templateStorage = withCeph ? 'ceph-vm' : 'local-lvm';

  const guests: SimGuest[] = [];
  const first = nodes[0] as SimNode;
  guests.push({
    vmid: 9000,
    node: first.name,
    type: 'qemu',
    status: 'stopped',
    config: {
      name: 'ubuntu-2404-cloud',
      template: '1',
      cores: '2',
      sockets: '1',
      memory: '2048',
      scsihw: 'virtio-scsi-single',
      scsi0: `${templateStorage}:base-9000-disk-0,iothread=1,size=4G`,
      ide2: `${templateStorage}:vm-9000-cloudinit,media=cdrom`,
      net0: `virtio=BC:24:11:90:00:00,bridge=vmbr0`,
      boot: 'order=scsi0',
      agent: '1',
      ostype: 'l26',
      serial0: 'socket',
      vga: 'serial0',
      meta: `creation-qemu=9.2.0,ctime=${now - 90 * 86_400}`,
    },
    pending: {},
    pendingDelete: [],
  });

  let vmid = 100;
  for (const node of nodes) {
    for (let i = 0; i < (options.vmsPerNode ?? 2); i++, vmid++) {
      const running = random() < 0.7;
      const config: Record<string, string> = {
        name: `vm-${vmid}`,
        cores: String(2 ** Math.floor(random() * 4)),
        sockets: '1',
        memory: String(1024 * 2 ** Math.floor(random() * 5)),
        scsihw: 'virtio-scsi-single',
        scsi0: `local-lvm:vm-${vmid}-disk-0,iothread=1,size=${16 * 2 ** Math.floor(random() * 4)}G`,
        net0: `virtio=${macFor(vmid, 0)},bridge=vmbr0`,
        ostype: 'l26',
        boot: 'order=scsi0',
      };
      if (i === 0 && gpusPerNode > 0) {
        config.machine = 'q35';
        config.hostpci0 = '0000:01:00,pcie=1';
      }
      guests.push({
        vmid,
        node: node.name,
        type: 'qemu',
        status: running || config.hostpci0 ? 'running' : 'stopped',
        config,
        pending: {},
        pendingDelete: [],
        ...(running || config.hostpci0 ? { startedAt: now - 3_600 * (1 + (vmid % 48)) } : {}),
        ...(config.hostpci0
          ? { activePci: node.pci.filter((d) => d.id.startsWith('0000:01:00.')).map((d) => d.id) }
          : {}),
      });
    }
    for (let i = 0; i < (options.containersPerNode ?? 1); i++, vmid++) {
      guests.push({
        vmid,
        node: node.name,
        type: 'lxc',
        status: 'running',
        config: {
          hostname: `ct-${vmid}`,
          arch: 'amd64',
          cores: '2',
          memory: '2048',
          swap: '512',
          ostype: 'debian',
          rootfs: `local-lvm:vm-${vmid}-disk-0,size=8G`,
          net0: `name=eth0,bridge=vmbr0,hwaddr=${macFor(vmid, 0)},ip=dhcp,type=veth`,
          unprivileged: '1',
        },
        pending: {},
        pendingDelete: [],
        startedAt: now - 7_200,
      });
    }
  }

  const token = options.token ?? { id: 'root@pam!skyy', secret: 'skyy-simulator-secret' };
  return {
    clusterName: 'sim-cluster',
    configVersion: nodeCount + 1,
    nodes,
    storages,
    guests,
    mappings:
      gpusPerNode > 0
        ? [
            {
              id: model.mapping,
              description: `All ${options.gpuModel ?? 'RTX 3090'} GPUs`,
              map: mappingEntries,
            },
          ]
        : [],
    ceph: withCeph
      ? {
          fsid: '3f1c2a9e-5b7d-4e2a-9c1f-7a8b6d5e4c3b',
          osds: nodeCount * 4,
          osdsUp: nodeCount * 4,
          bytesTotal: 60_000 * GiB,
          bytesUsed: 9_000 * GiB,
          flags: Object.fromEntries(cephFlagNames.map((flag) => [flag, false])),
        }
      : null,
    tokens: { [token.id]: token.secret },
  };
}

function device(
  id: string,
  cls: string,
  vendor: string,
  dev: string,
  vendorName: string,
  deviceName: string,
  group: number,
): SimPciDevice {
  return {
    id,
    class: cls,
    vendor,
    device: dev,
    vendor_name: vendorName,
    device_name: deviceName,
    subsystem_vendor: vendor,
    subsystem_device: '0x0000',
    iommugroup: group,
  };
}

/** Deterministic MACs in Proxmox's own OUI (BC:24:11), as PVE 8+ generates them. */
export function macFor(vmid: number, index: number): string {
  const n = (vmid * 32 + index) & 0xffffff;
  const hex = n.toString(16).toUpperCase().padStart(6, '0');
  return `BC:24:11:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}`;
}

/** A state file that does not load says which file, what is wrong first, and what to do. */
function stateFileProblem(file: string, error: unknown, fresh: string): Error {
  const issue = (error as { issues?: { path?: PropertyKey[]; message?: string }[] }).issues?.[0];
  const problem = issue
    ? `${issue.path?.map(String).join('.') || '(top level)'}: ${issue.message ?? 'invalid'}`
    : error instanceof Error
      ? error.message
      : String(error);
  return new Error(`${file} is not a valid simulator state (${problem}); fix it, or delete it to ${fresh}`, {
    cause: error,
  });
}

export function loadState(file: string): SimState {
  const text = readFileSync(file, 'utf8');
  try {
    return simStateSchema.parse(JSON.parse(text));
  } catch (error) {
    throw stateFileProblem(file, error, 'generate a fresh cluster');
  }
}

/** Writes through a temporary file so a crash never leaves half a state file. */
export function saveState(state: SimState, file: string): void {
  writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}
