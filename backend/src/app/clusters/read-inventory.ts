import { isGpu, type ProxmoxClient } from '@skyy/proxmox';
import { parsePropertyString } from '@skyy/proxmox/schema';
import type {
  ClusterGpu,
  ClusterGuest,
  ClusterNode,
  ClusterStorage,
  ClusterSyncStatus,
} from '@skyy/contracts';
import { attributeGpus, pciBase } from './gpu-users.ts';

type GuestDetail = Pick<ClusterGuest, 'cores' | 'memoryMiB' | 'disks' | 'nics' | 'gpus'>;

/** Everything one sync reads from a cluster, before ids and host matches are attached. */
export interface ClusterInventory {
  clusterName: string | null;
  quorum: NonNullable<ClusterSyncStatus['quorum']>;
  ceph: ClusterSyncStatus['ceph'];
  nodes: Omit<ClusterNode, 'id' | 'clusterId' | 'hostId' | 'hostname' | 'syncedAt'>[];
  guests: Omit<ClusterGuest, 'id' | 'clusterId' | 'syncedAt'>[];
  storages: Omit<ClusterStorage, 'id' | 'clusterId'>[];
  /** Who holds each GPU for certain; `maybeUsedBy` is worked out when the API reads them. */
  gpus: Omit<ClusterGpu, 'id' | 'clusterId' | 'maybeUsedBy'>[];
}

/**
 * Reads a cluster's inventory: one /cluster/resources for nodes, guests and storages, the
 * cluster status for quorum and node addresses, each guest's config (disks, NICs, GPUs) with
 * bounded concurrency, PCI devices of online nodes, PCI mappings and Ceph health. Guests on
 * offline nodes keep what /cluster/resources says (PVE cannot read their configs).
 */
export async function readClusterInventory(
  pve: ProxmoxClient,
  options: { concurrency?: number; signal?: AbortSignal } = {},
): Promise<ClusterInventory> {
  const [resources, status] = await Promise.all([pve.cluster.resources(), pve.cluster.status()]);
  const ipOf = new Map(status.nodes.map((n) => [n.name, n.ip ?? null]));
  const nodes = resources
    .filter((r) => r.type === 'node' && r.node)
    .map((r) => ({
      name: r.node as string,
      status: r.status ?? 'unknown',
      online: r.status === 'online',
      cpuUsage: r.cpu ?? null,
      maxCpu: r.maxcpu ?? 0,
      memoryUsedBytes: r.mem ?? 0,
      memoryTotalBytes: r.maxmem ?? 0,
      uptimeSeconds: r.uptime ?? 0,
      ip: ipOf.get(r.node as string) ?? null,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const online = new Set(nodes.filter((n) => n.online).map((n) => n.name));

  const guestResources = resources.filter(
    (r) => (r.type === 'qemu' || r.type === 'lxc') && r.vmid !== undefined && r.node !== undefined,
  );
  const details = new Map<number, GuestDetail>();
  await forEachLimited(guestResources, options.concurrency ?? 8, async (r) => {
    options.signal?.throwIfAborted();
    if (!online.has(r.node as string)) return;
    const node = r.node as string;
    const vmid = r.vmid as number;
    const config =
      r.type === 'qemu'
        ? (await pve.qemu.config(node, vmid)).config
        : (await pve.lxc.config(node, vmid)).config;
    details.set(vmid, r.type === 'qemu' ? qemuDetail(config) : lxcDetail(config));
  });
  const guests = guestResources
    .map((r) => {
      const vmid = r.vmid as number;
      const detail = details.get(vmid);
      return {
        vmid,
        type: r.type as 'qemu' | 'lxc',
        node: r.node as string,
        name: r.name ?? '',
        status: r.status ?? 'unknown',
        template: r.template ?? false,
        cores: detail?.cores ?? (r.maxcpu ? Math.round(r.maxcpu) : null),
        memoryMiB: detail?.memoryMiB ?? (r.maxmem ? Math.round(r.maxmem / 1024 ** 2) : null),
        tags: (r.tags ?? '').split(/[;,\s]+/).filter(Boolean),
        disks: detail?.disks ?? [],
        nics: detail?.nics ?? [],
        gpus: detail?.gpus ?? [],
        cpuUsage: r.cpu ?? null,
        uptimeSeconds: r.uptime ?? 0,
      };
    })
    .sort((a, b) => a.vmid - b.vmid);

  const storages = resources
    .filter((r) => r.type === 'storage' && r.storage && r.node)
    .map((r) => ({
      storage: r.storage as string,
      node: r.node as string,
      type: r.plugintype ?? null,
      content: (r.content ?? '').split(',').filter(Boolean),
      shared: r.shared ?? false,
      status: r.status ?? null,
      totalBytes: r.maxdisk ?? 0,
      usedBytes: r.disk ?? 0,
    }))
    .sort((a, b) => a.node.localeCompare(b.node) || a.storage.localeCompare(b.storage));

  const gpus = await readGpus(pve, [...online].sort(), guests);
  const ceph = await pve.ceph.status().then(
    (s) => ({
      health: s.health.status,
      checks: Object.entries(s.health.checks).map(([name, check]) => ({
        name,
        severity: check.severity,
        message: check.summary.message,
      })),
    }),
    // No hyper-converged Ceph on this cluster (PVE answers an error): nothing to report.
    () => null,
  );
  const total = status.nodes.length || nodes.length;
  const onlineCount = status.nodes.length ? status.nodes.filter((n) => n.online).length : online.size;
  return {
    clusterName: status.cluster?.name ?? null,
    quorum: {
      quorate: status.cluster ? status.cluster.quorate : onlineCount > 0,
      online: onlineCount,
      total,
    },
    ceph,
    nodes,
    guests,
    storages,
    gpus,
  };
}

/** Node GPUs with their mappings; who uses them is worked out by attributeGpus (gpu-users.ts). */
async function readGpus(
  pve: ProxmoxClient,
  onlineNodes: string[],
  guests: ClusterInventory['guests'],
): Promise<ClusterInventory['gpus']> {
  const mappings = onlineNodes.length ? await pve.pci.mappings() : [];
  const out: Omit<ClusterInventory['gpus'][number], 'usedBy'>[] = [];
  for (const node of onlineNodes) {
    const devices = (await pve.pci.devices(node)).filter(isGpu);
    const nodeGpus: typeof out = [];
    for (const device of devices) {
      const pciId = pciBase(device.id);
      if (nodeGpus.some((g) => g.pciId === pciId)) continue;
      nodeGpus.push({
        node,
        pciId,
        name: [device.vendor_name, device.device_name].filter(Boolean).join(' ') || device.device,
        vendorId: device.vendor,
        deviceId: device.device,
        // A mapping entry may name several functions (`0000:01:00.0;0000:01:00.1`).
        mappings: mappings
          .filter((m) =>
            m.entries.some((e) => e.node === node && e.path.split(';').some((p) => pciBase(p) === pciId)),
          )
          .map((m) => m.id)
          .sort(),
      });
    }
    nodeGpus.sort((a, b) => a.pciId.localeCompare(b.pciId));
    out.push(...nodeGpus);
  }
  const users = attributeGpus(out, guests);
  return out.map((gpu, i) => ({ ...gpu, usedBy: users[i]?.usedBy ?? null }));
}

const NIC_OPTIONS = new Set([
  'bridge',
  'tag',
  'firewall',
  'link_down',
  'macaddr',
  'model',
  'mtu',
  'queues',
  'rate',
  'trunks',
]);

function qemuDetail(config: Record<string, string>): GuestDetail {
  const disks: GuestDetail['disks'] = [];
  const nics: GuestDetail['nics'] = [];
  const gpus: GuestDetail['gpus'] = [];
  for (const [key, value] of Object.entries(config).sort(([a], [b]) =>
    a.localeCompare(b, 'en', { numeric: true }),
  )) {
    if (/^(scsi|virtio|sata|ide)\d+$/.test(key)) {
      const parts = parsePropertyString(value, 'file');
      if (parts.media === 'cdrom' || !parts.file || parts.file === 'none') continue;
      disks.push(diskOf(key, parts.file, parts.size));
    } else if (/^net\d+$/.test(key)) {
      const parts = parsePropertyString(value, 'model');
      const modelKey = Object.keys(parts).find((k) => !NIC_OPTIONS.has(k));
      nics.push({
        slot: key,
        model: parts.model ?? modelKey ?? null,
        mac: (parts.macaddr ?? (modelKey ? parts[modelKey] : undefined) ?? null)?.toUpperCase() ?? null,
        bridge: parts.bridge ?? null,
        vlan: parts.tag ? Number(parts.tag) : null,
      });
    } else if (/^hostpci\d+$/.test(key)) {
      const parts = parsePropertyString(value, 'host');
      gpus.push({ slot: key, pci: parts.host ?? null, mapping: parts.mapping ?? null });
    }
  }
  const cores = intOf(config.cores) ?? 1;
  const sockets = intOf(config.sockets) ?? 1;
  return { cores: cores * sockets, memoryMiB: intOf(config.memory) ?? null, disks, nics, gpus };
}

function lxcDetail(config: Record<string, string>): GuestDetail {
  const disks: GuestDetail['disks'] = [];
  const nics: GuestDetail['nics'] = [];
  for (const [key, value] of Object.entries(config).sort(([a], [b]) =>
    a.localeCompare(b, 'en', { numeric: true }),
  )) {
    if (key === 'rootfs' || /^mp\d+$/.test(key)) {
      const parts = parsePropertyString(value, 'volume');
      if (parts.volume) disks.push(diskOf(key, parts.volume, parts.size));
    } else if (/^net\d+$/.test(key)) {
      const parts = parsePropertyString(value, 'name');
      nics.push({
        slot: key,
        model: null,
        mac: parts.hwaddr?.toUpperCase() ?? null,
        bridge: parts.bridge ?? null,
        vlan: parts.tag ? Number(parts.tag) : null,
      });
    }
  }
  return {
    cores: intOf(config.cores) ?? null,
    memoryMiB: intOf(config.memory) ?? null,
    disks,
    nics,
    gpus: [],
  };
}

function diskOf(slot: string, volume: string, size: string | undefined): GuestDetail['disks'][number] {
  return {
    slot,
    storage: volume.includes(':') ? (volume.split(':')[0] ?? null) : null,
    volume,
    sizeGiB: size ? sizeInGiB(size) : null,
  };
}

const POWER = { K: -2, M: -1, G: 0, T: 1 } as const;

/** PVE sizes: `32G`, `512M`, `1T`, `1024K`, or bytes. */
export function sizeInGiB(size: string): number | null {
  const match = /^(\d+(?:\.\d+)?)([KMGT])?$/i.exec(size.trim());
  if (!match) return null;
  const unit = match[2]?.toUpperCase() as keyof typeof POWER | undefined;
  const value = Number(match[1]);
  return unit ? value * 1024 ** POWER[unit] : value / 1024 ** 3;
}

/** `4096`, `current=4096` (memory) → 4096. */
function intOf(value: string | undefined): number | undefined {
  const match = /(\d+)/.exec(value ?? '');
  return match ? Number(match[1]) : undefined;
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
