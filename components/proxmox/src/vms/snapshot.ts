import type { GuestResource } from '../client/cluster.ts';
import { splitTags } from '../client/cluster.ts';
import type { ProxmoxClient } from '../client/proxmox-client.ts';
import type { VmConfig } from '../client/qemu.ts';
import { defaultIdentity, hasTag } from './identity.ts';
import type { ClusterSnapshot, DesiredHostVms } from './types.ts';

export interface SnapshotOptions {
  /** Config reads in flight at once (default 16). */
  concurrency?: number;
  managedTag?: string;
}

/**
 * Reads what planVms needs in as few requests as possible: one /cluster/resources for every
 * node, guest and storage, then only the configs that matter (Skyy's VMs, namesakes of declared
 * VMs, and every VM on nodes where declared VMs want GPUs), PCI devices of those nodes and the
 * PCI mappings. Per-VM status calls are never needed: the resources list has the status.
 */
export async function readClusterSnapshot(
  pve: ProxmoxClient,
  desired: DesiredHostVms[],
  options: SnapshotOptions = {},
): Promise<ClusterSnapshot> {
  const managedTag = options.managedTag ?? defaultIdentity.managedTag;
  const resources = await pve.cluster.resources();
  const nodes = resources
    .filter((r) => r.type === 'node' && r.node)
    .map((r) => ({ name: r.node as string, online: r.status === 'online' }));
  const guests: GuestResource[] = resources
    .filter((r) => (r.type === 'qemu' || r.type === 'lxc') && r.vmid !== undefined && r.node !== undefined)
    .map((r) => ({
      type: r.type as 'qemu' | 'lxc',
      vmid: r.vmid as number,
      node: r.node as string,
      name: r.name ?? '',
      status: r.status ?? 'unknown',
      template: r.template ?? false,
      tags: splitTags(r.tags),
      lock: r.lock,
      maxcpu: r.maxcpu ?? 0,
      maxmem: r.maxmem ?? 0,
      maxdisk: r.maxdisk ?? 0,
    }));
  const storages = resources
    .filter((r) => r.type === 'storage' && r.storage && r.node)
    .map((r) => ({ storage: r.storage as string, node: r.node as string, shared: r.shared ?? false }));

  const names = new Set(desired.flatMap((h) => h.vms.map((vm) => vm.name)));
  const gpuNodes = new Set(
    desired.filter((h) => h.vms.some((vm) => (vm.gpus?.length ?? 0) > 0)).map((h) => h.node),
  );
  const online = new Set(nodes.filter((n) => n.online).map((n) => n.name));
  const wanted = guests.filter(
    (g) =>
      g.type === 'qemu' &&
      !g.template &&
      online.has(g.node) &&
      (hasTag(g.tags, managedTag) || names.has(g.name) || gpuNodes.has(g.node)),
  );

  const configs: Record<string, VmConfig> = {};
  await forEachLimited(wanted, options.concurrency ?? 16, async (guest) => {
    configs[String(guest.vmid)] = await pve.qemu.config(guest.node, guest.vmid);
  });

  const pciDevices: ClusterSnapshot['pciDevices'] = {};
  for (const node of [...gpuNodes].filter((n) => online.has(n)))
    pciDevices[node] = await pve.pci.devices(node);
  const mappings = gpuNodes.size > 0 ? await pve.pci.mappings() : [];

  return { nodes, guests, configs, pciDevices, mappings, storages };
}

/** Runs `fn` over items with at most `limit` at once. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
