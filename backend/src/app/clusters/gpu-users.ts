import type { ClusterGpu, ClusterGuest } from '@skyy/contracts';

type Gpu = Pick<ClusterGpu, 'node' | 'pciId' | 'mappings'>;
type Vm = Pick<ClusterGuest, 'vmid' | 'name' | 'node' | 'type' | 'template' | 'status' | 'gpus'>;
export type GpuUsers = Pick<ClusterGpu, 'usedBy' | 'maybeUsedBy'>;

/** `01:00.0` / `0000:01:00.0` / `0000:01:00` → `0000:01:00` (the device with all its functions). */
export const pciBase = (id: string): string => {
  const full = id.split(':').length === 2 ? `0000:${id}` : id;
  return full.toLowerCase().replace(/\.[0-7]$/, '');
};

/**
 * Who uses each GPU, as far as PVE tells:
 * - a raw address in a VM's config (`hostpciN: 0000:01:00`) holds the device, running or not;
 * - a mapping (`hostpciN: mapping=rtx3090`) holds a device only while the VM runs, and PVE picks a
 *   free device of the mapping on the node at start without reporting which. The candidates are
 *   the mapping's devices on the node that no running VM holds by address. When one VM uses as
 *   many as there are candidates (one for one, most often), they are its (`usedBy`, via
 *   mapping). Otherwise each candidate lists the running users of the mapping in `maybeUsedBy`,
 *   with how many devices they share.
 * Returns one entry per GPU, in the order given.
 */
export function attributeGpus(gpus: readonly Gpu[], guests: readonly Vm[]): GpuUsers[] {
  const users: GpuUsers[] = gpus.map(() => ({ usedBy: null, maybeUsedBy: [] }));
  const indexOf = new Map(gpus.map((g, i) => [`${g.node}/${g.pciId}`, i]));
  const vms = guests.filter((g) => g.type === 'qemu' && !g.template);
  const heldByRunning = new Set<number>();

  for (const vm of vms)
    for (const gpu of vm.gpus) {
      for (const id of (gpu.pci ?? '').split(';').filter(Boolean)) {
        const i = indexOf.get(`${vm.node}/${pciBase(id)}`);
        if (i === undefined) continue;
        const entry = users[i] as GpuUsers;
        entry.usedBy ??= { vmid: vm.vmid, name: vm.name, via: 'pci' };
        if (vm.status === 'running') heldByRunning.add(i);
      }
    }

  // Running users of each mapping per node: one entry per hostpci line (a VM may ask for two).
  const mappingUsers = new Map<string, { node: string; mapping: string; vms: Vm[] }>();
  for (const vm of vms) {
    if (vm.status !== 'running') continue;
    for (const gpu of vm.gpus) {
      if (!gpu.mapping) continue;
      const key = `${vm.node}/${gpu.mapping}`;
      const group = mappingUsers.get(key) ?? { node: vm.node, mapping: gpu.mapping, vms: [] };
      group.vms.push(vm);
      mappingUsers.set(key, group);
    }
  }
  for (const { node, mapping, vms: using } of mappingUsers.values()) {
    const candidates = gpus
      .map((g, i) => ({ g, i }))
      .filter(({ g, i }) => g.node === node && g.mappings.includes(mapping) && !heldByRunning.has(i));
    const named = [...new Map(using.map((vm) => [vm.vmid, vm])).values()];
    // One VM asking for as many devices as there are candidates holds all of them.
    if (named.length === 1 && using.length >= candidates.length) {
      const vm = named[0] as Vm;
      for (const { i } of candidates)
        (users[i] as GpuUsers).usedBy = { vmid: vm.vmid, name: vm.name, via: 'mapping' };
      continue;
    }
    for (const { i } of candidates)
      (users[i] as GpuUsers).maybeUsedBy.push(
        ...named.map((vm) => ({ vmid: vm.vmid, name: vm.name, mapping, candidates: candidates.length })),
      );
  }
  return users;
}
