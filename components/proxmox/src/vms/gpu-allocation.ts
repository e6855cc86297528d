import type { DesiredVm, DesiredVmGpu } from '@skyy/contracts';
import { isGpu } from '../client/pci.ts';
import { formatPropertyString, parsePropertyString } from '../schema/property-string.ts';
import type { ClusterSnapshot, PlanIssue } from './types.ts';

/**
 * Chooses the passthrough devices of desired VMs, node by node: fixed PCI addresses and PCI
 * mappings first, then "any free GPU of this model". A GPU is taken when any VM's config holds
 * it, running or not, so two VMs never share one. A VM keeps the GPUs it already has when they
 * still fit, so plans are stable.
 */
export interface GpuRequest {
  vm: DesiredVm;
  node: string;
  /** The VM's current VMID when it exists (its own config does not count as a conflict). */
  vmid: number | undefined;
}

interface NodeGpu {
  /** `0000:41:00`: the device with all its functions. */
  base: string;
  name: string;
}

const baseOf = (id: string) => {
  const full = id.split(':').length === 2 ? `0000:${id}` : id;
  return full.toLowerCase().replace(/\.[0-7]$/, '');
};

const normalize = (text: string) => text.toLowerCase().replace(/\s+/g, ' ').trim();

export function gpuValue(gpu: DesiredVmGpu, hostOrMapping: { host: string } | { mapping: string }): string {
  return formatPropertyString(
    { ...hostOrMapping, pcie: gpu.pcie ? '1' : undefined, 'x-vga': gpu.primary ? '1' : undefined },
    { defaultKey: 'host', leading: ['host', 'mapping'] },
  );
}

export function allocateGpus(
  requests: GpuRequest[],
  snapshot: ClusterSnapshot,
): { values: Map<string, string[]>; errors: PlanIssue[] } {
  const values = new Map<string, string[]>();
  const errors: PlanIssue[] = [];
  const byNode = new Map<string, GpuRequest[]>();
  for (const request of requests) {
    if (!request.vm.gpus?.length) continue;
    byNode.set(request.node, [...(byNode.get(request.node) ?? []), request]);
  }
  for (const [node, nodeRequests] of byNode) {
    allocateOnNode(node, nodeRequests, snapshot, values, errors);
  }
  return { values, errors };
}

function allocateOnNode(
  node: string,
  requests: GpuRequest[],
  snapshot: ClusterSnapshot,
  values: Map<string, string[]>,
  errors: PlanIssue[],
): void {
  const gpus: NodeGpu[] = [];
  for (const device of (snapshot.pciDevices[node] ?? []).filter(isGpu)) {
    const base = baseOf(device.id);
    if (!gpus.some((g) => g.base === base))
      gpus.push({ base, name: `${device.vendor_name ?? ''} ${device.device_name ?? ''}` });
  }
  gpus.sort((a, b) => a.base.localeCompare(b.base));

  // Who holds what today: raw addresses by base, mappings by count. Desired VMs are replanned.
  const planned = new Set(requests.map((r) => r.vmid).filter((v): v is number => v !== undefined));
  const usedBy = new Map<string, string>();
  const mappingUse = new Map<string, string[]>();
  for (const guest of snapshot.guests) {
    if (guest.node !== node || guest.type !== 'qemu' || planned.has(guest.vmid)) continue;
    for (const [key, value] of Object.entries(snapshot.configs[String(guest.vmid)]?.config ?? {})) {
      if (!/^hostpci\d+$/.test(key)) continue;
      const parts = parsePropertyString(value, 'host');
      const label = guest.name || `VMID ${guest.vmid}`;
      if (parts.mapping) mappingUse.set(parts.mapping, [...(mappingUse.get(parts.mapping) ?? []), label]);
      else for (const id of (parts.host ?? '').split(';').filter(Boolean)) usedBy.set(baseOf(id), label);
    }
  }

  const mappingBases = (id: string) =>
    snapshot.mappings
      .find((m) => m.id === id)
      ?.entries.filter((e) => e.node === node)
      .map((e) => baseOf(e.path)) ?? [];

  const sorted = [...requests].sort((a, b) => a.vm.name.localeCompare(b.vm.name));
  const fail = (vm: DesiredVm, message: string) => errors.push({ vm: vm.name, node, message });
  const chosen = new Map<string, (string | undefined)[]>();
  for (const request of sorted) chosen.set(request.vm.name, request.vm.gpus?.map(() => undefined) ?? []);

  // Pass 1: fixed addresses and mappings.
  for (const { vm } of sorted) {
    vm.gpus?.forEach((gpu, i) => {
      const slot = chosen.get(vm.name) as (string | undefined)[];
      if ('pci' in gpu) {
        const base = baseOf(gpu.pci);
        if (!gpus.some((g) => g.base === base)) {
          fail(
            vm,
            `GPU ${base} is not on node ${node} (GPUs there: ${gpus.map((g) => g.base).join(', ') || 'none'})`,
          );
          return;
        }
        const holder = usedBy.get(base);
        if (holder) {
          fail(vm, `GPU ${base} on ${node} is also assigned to VM ${holder}`);
          return;
        }
        usedBy.set(base, vm.name);
        slot[i] = gpuValue(gpu, { host: gpu.pci.includes('.') ? `${base}.${gpu.pci.split('.')[1]}` : base });
      } else if ('mapping' in gpu) {
        const mapping = snapshot.mappings.find((m) => m.id === gpu.mapping);
        if (!mapping) {
          fail(
            vm,
            `PCI mapping '${gpu.mapping}' does not exist (mappings: ${snapshot.mappings.map((m) => m.id).join(', ') || 'none'})`,
          );
          return;
        }
        const bases = mappingBases(gpu.mapping);
        if (bases.length === 0) {
          fail(vm, `PCI mapping '${gpu.mapping}' has no device on node ${node}`);
          return;
        }
        const users = [...(mappingUse.get(gpu.mapping) ?? []), vm.name];
        mappingUse.set(gpu.mapping, users);
        const free = bases.filter((b) => !usedBy.has(b)).length;
        if (users.length > free) {
          fail(
            vm,
            `PCI mapping '${gpu.mapping}' has ${free} free device(s) on ${node} for ${users.length} VMs (${users.join(', ')})`,
          );
          return;
        }
        slot[i] = gpuValue(gpu, { mapping: gpu.mapping });
      }
    });
  }

  // Devices a mapping needs for its users are reserved before models pick.
  const reserved = new Set<string>();
  for (const [id, users] of mappingUse) {
    mappingBases(id)
      .filter((b) => !usedBy.has(b))
      .slice(0, users.length)
      .forEach((b) => reserved.add(b));
  }

  // Pass 2: any free GPU of a model, keeping what the VM already has.
  for (const { vm, vmid } of sorted) {
    const own = new Set(
      Object.entries(vmid === undefined ? {} : (snapshot.configs[String(vmid)]?.config ?? {}))
        .filter(([key]) => /^hostpci\d+$/.test(key))
        .map(([, value]) => parsePropertyString(value, 'host').host)
        .filter((host): host is string => host !== undefined)
        .map(baseOf),
    );
    vm.gpus?.forEach((gpu, i) => {
      if (!('model' in gpu)) return;
      const matching = gpus.filter((g) => normalize(g.name).includes(normalize(gpu.model)));
      if (matching.length === 0) {
        fail(
          vm,
          `no GPU matching "${gpu.model}" on node ${node} (GPUs there: ${gpus.map((g) => g.name.trim()).join(', ') || 'none'})`,
        );
        return;
      }
      const free = matching.filter((g) => !usedBy.has(g.base) && !reserved.has(g.base));
      const pick = free.find((g) => own.has(g.base)) ?? free[0];
      if (!pick) {
        const holders = matching.map((g) => `${g.base} used by ${usedBy.get(g.base) ?? 'a PCI mapping'}`);
        fail(vm, `no free GPU matching "${gpu.model}" on node ${node}: ${holders.join(', ')}`);
        return;
      }
      usedBy.set(pick.base, vm.name);
      (chosen.get(vm.name) as (string | undefined)[])[i] = gpuValue(gpu, { host: pick.base });
    });
  }

  for (const { vm } of sorted) {
    const slots = chosen.get(vm.name) ?? [];
    if (slots.every((s) => s !== undefined)) values.set(vm.name, slots as string[]);
  }
}
