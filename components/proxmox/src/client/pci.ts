import { z } from 'zod';
import { parsePropertyString } from '../schema/property-string.ts';
import { seg, type PveTransport } from './transport.ts';
import { pveBool } from './wire-types.ts';

const pciDeviceSchema = z.looseObject({
  id: z.string(),
  class: z.string(),
  vendor: z.string(),
  device: z.string(),
  vendor_name: z.string().optional(),
  device_name: z.string().optional(),
  iommugroup: z.number(),
  mdev: pveBool.optional(),
});
export type PciDevice = z.output<typeof pciDeviceSchema>;

const mappingSchema = z.looseObject({
  id: z.string(),
  description: z.string().optional(),
  map: z.array(z.string()),
  checks: z.array(z.looseObject({ severity: z.string(), message: z.string() })).optional(),
});

/** One entry of a mapping: which device on which node (`node=pve1,path=0000:01:00.0,id=10de:2204`). */
export interface PciMappingEntry {
  node: string;
  path: string;
  id: string | undefined;
  iommugroup: number | undefined;
}

export interface PciMapping {
  id: string;
  description: string;
  entries: PciMappingEntry[];
  checks: { severity: string; message: string }[];
}

function toMapping(raw: z.output<typeof mappingSchema>): PciMapping {
  return {
    id: raw.id,
    description: raw.description ?? '',
    entries: raw.map.map((entry) => {
      const parts = parsePropertyString(entry, 'node');
      return {
        node: parts.node ?? '',
        path: parts.path ?? '',
        id: parts.id,
        iommugroup: parts.iommugroup === undefined ? undefined : Number(parts.iommugroup),
      };
    }),
    checks: raw.checks ?? [],
  };
}

/** Display controllers (class 0x03xxxx): GPUs. */
export function isGpu(device: PciDevice): boolean {
  return /^(0x)?03/.test(device.class);
}

export class PciApi {
  constructor(private readonly t: PveTransport) {}

  /** PCI devices of a node (bridges, memory controllers and processors filtered out, as PVE does by default). */
  devices(node: string, options: { classBlacklist?: string; verbose?: boolean } = {}): Promise<PciDevice[]> {
    return this.t.request(
      z.array(pciDeviceSchema),
      'GET',
      `/nodes/${seg(node)}/hardware/pci`,
      { 'pci-class-blacklist': options.classBlacklist, verbose: options.verbose },
      { idempotent: true },
    );
  }

  /** Cluster-wide PCI mappings; `checkNode` adds PVE's diagnostics for that node. */
  async mappings(options: { checkNode?: string } = {}): Promise<PciMapping[]> {
    const raw = await this.t.request(
      z.array(mappingSchema),
      'GET',
      '/cluster/mapping/pci',
      { 'check-node': options.checkNode },
      { idempotent: true },
    );
    return raw.map(toMapping);
  }

  async mapping(id: string): Promise<PciMapping> {
    const raw = await this.t.request(
      z.looseObject({ description: z.string().optional(), map: z.array(z.string()) }),
      'GET',
      `/cluster/mapping/pci/${seg(id)}`,
      {},
      { idempotent: true },
    );
    return toMapping({ id, ...raw });
  }

  async createMapping(mapping: {
    id: string;
    description?: string;
    entries: PciMappingEntry[];
  }): Promise<void> {
    const map = mapping.entries.map((e) =>
      [
        `node=${e.node}`,
        `path=${e.path}`,
        ...(e.id ? [`id=${e.id}`] : []),
        ...(e.iommugroup !== undefined ? [`iommugroup=${e.iommugroup}`] : []),
      ].join(','),
    );
    await this.t.request(
      z.null(),
      'POST',
      '/cluster/mapping/pci',
      { id: mapping.id, description: mapping.description, map },
      { idempotent: false },
    );
  }

  async deleteMapping(id: string): Promise<void> {
    await this.t.request(z.null(), 'DELETE', `/cluster/mapping/pci/${seg(id)}`, {}, { idempotent: false });
  }
}
