import { z } from 'zod';
import type { PveTransport } from './transport.ts';
import { pveBool, pveNumber } from './wire-types.ts';

const statusEntrySchema = z.looseObject({
  type: z.enum(['cluster', 'node']),
  id: z.string(),
  name: z.string(),
  quorate: pveBool.optional(),
  nodes: z.number().optional(),
  version: z.number().optional(),
  nodeid: z.number().optional(),
  ip: z.string().optional(),
  online: pveBool.optional(),
  local: pveBool.optional(),
});

export interface ClusterStatus {
  /** Absent on a standalone node (no cluster configured). */
  cluster: { name: string; quorate: boolean; nodes: number; version: number } | undefined;
  nodes: {
    name: string;
    nodeid: number | undefined;
    ip: string | undefined;
    online: boolean;
    local: boolean;
  }[];
}

export interface Quorum {
  quorate: boolean;
  online: number;
  total: number;
}

const resourceSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
  node: z.string().optional(),
  status: z.string().optional(),
  name: z.string().optional(),
  vmid: z.number().int().optional(),
  template: pveBool.optional(),
  tags: z.string().optional(),
  lock: z.string().optional(),
  storage: z.string().optional(),
  shared: pveBool.optional(),
  content: z.string().optional(),
  plugintype: z.string().optional(),
  cpu: z.number().optional(),
  maxcpu: z.number().optional(),
  mem: z.number().optional(),
  maxmem: z.number().optional(),
  disk: z.number().optional(),
  maxdisk: z.number().optional(),
  uptime: z.number().optional(),
});
export type ClusterResource = z.output<typeof resourceSchema>;

/** A VM or container as /cluster/resources lists it: enough to find and identify guests in one request. */
export interface GuestResource {
  type: 'qemu' | 'lxc';
  vmid: number;
  node: string;
  name: string;
  status: string;
  template: boolean;
  /** Split from PVE's `a;b` string. */
  tags: string[];
  lock: string | undefined;
  maxcpu: number;
  maxmem: number;
  maxdisk: number;
}

export function splitTags(tags: string | undefined): string[] {
  return (tags ?? '').split(/[;,\s]+/).filter(Boolean);
}

export class ClusterApi {
  constructor(private readonly t: PveTransport) {}

  async status(): Promise<ClusterStatus> {
    const entries = await this.t.request(
      z.array(statusEntrySchema),
      'GET',
      '/cluster/status',
      {},
      { idempotent: true },
    );
    const cluster = entries.find((e) => e.type === 'cluster');
    return {
      cluster: cluster
        ? {
            name: cluster.name,
            quorate: cluster.quorate ?? false,
            nodes: cluster.nodes ?? 0,
            version: cluster.version ?? 0,
          }
        : undefined,
      nodes: entries
        .filter((e) => e.type === 'node')
        .map((e) => ({
          name: e.name,
          nodeid: e.nodeid,
          ip: e.ip,
          online: e.online ?? false,
          local: e.local ?? false,
        })),
    };
  }

  /** Quorum from /cluster/status; a standalone node is always quorate. */
  async quorum(): Promise<Quorum> {
    const status = await this.status();
    const online = status.nodes.filter((n) => n.online).length;
    return {
      quorate: status.cluster ? status.cluster.quorate : online > 0,
      online,
      total: status.nodes.length,
    };
  }

  resources(type?: 'vm' | 'storage' | 'node' | 'sdn'): Promise<ClusterResource[]> {
    return this.t.request(
      z.array(resourceSchema),
      'GET',
      '/cluster/resources',
      { type },
      { idempotent: true },
    );
  }

  /** Every VM and container of the cluster in one request. */
  async guests(): Promise<GuestResource[]> {
    const resources = await this.resources('vm');
    return resources
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
  }

  /** The next free VMID, or checks that `vmid` is free (PVE answers 400 when it is taken). */
  nextId(vmid?: number): Promise<number> {
    return this.t.request(pveNumber, 'GET', '/cluster/nextid', { vmid }, { idempotent: true });
  }

  version(): Promise<{ version: string; release: string }> {
    return this.t.request(
      z.looseObject({ version: z.string(), release: z.string() }),
      'GET',
      '/version',
      {},
      { idempotent: true },
    );
  }
}
