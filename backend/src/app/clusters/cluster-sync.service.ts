import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  ClusterGpu,
  ClusterGuest,
  ClusterGuestDetail,
  ClusterGuestListQuery,
  ClusterNode,
  ClusterStorage,
  ClusterSyncStatus,
  Page,
} from '@skyy/contracts';
import { fromFlag, now, toFlag, type Db } from '../../core/database/database.ts';
import { Conflict, NotFound } from '../../core/errors/problems.ts';
import { EventBus, inventoryChanged } from '../../core/events/event-bus.ts';
import { systemCaller, type Caller } from '../../core/http/caller.ts';
import { JobQueue } from '../../core/queue/index.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import type {
  ClusterGpusTable,
  ClusterGuestsTable,
  ClusterStoragesTable,
} from './cluster-inventory.table.ts';
import {
  ClusterInventoryRepository,
  type InventoryRows,
  type NodeWithHost,
} from './cluster-inventory.repository.ts';
import { attributeGpus } from './gpu-users.ts';
import { ProxmoxConnections } from './proxmox-connection.ts';
import { readClusterInventory, type ClusterInventory } from './read-inventory.ts';

export const CLUSTER_SYNC_JOB = 'cluster.sync';

export interface SyncResult {
  nodes: number;
  guests: number;
  storages: number;
  gpus: number;
  /** Rows added, removed or changed since the last sync, over all four tables. */
  added: number;
  removed: number;
  changed: number;
  /** Hosts of the inventory newly linked to this cluster. */
  hostsMatched: string[];
}

/**
 * Reads Proxmox clusters into the inventory tables (on a schedule and on demand, as the job
 * `cluster.sync`), links inventory hosts to nodes, and serves what was read to the console.
 */
@Injectable()
export class ClusterSyncService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(ClusterInventoryRepository) private readonly repo: ClusterInventoryRepository,
    @Inject(ProxmoxConnections) private readonly connections: ProxmoxConnections,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  /** POST /clusters/:id/sync: one sync job per cluster at a time (a second request gets the running one). */
  async requestSync(caller: Caller, clusterId: string): Promise<{ jobId: string }> {
    const row = await this.connections.cluster(clusterId);
    if (row.type !== 'proxmox' || !row.api_url)
      throw new Conflict(`Cluster ${row.name} is not a Proxmox cluster with an API URL; nothing to sync.`);
    const job = await this.jobs.enqueue(caller, CLUSTER_SYNC_JOB, { clusterId }, syncJobOptions(clusterId));
    return { jobId: job.id };
  }

  /** Enqueues a sync of every Proxmox cluster (the schedule's job). */
  async syncAll(): Promise<string[]> {
    const clusters = await this.repo.proxmoxClusters();
    const ids: string[] = [];
    for (const c of clusters) {
      const job = await this.jobs.enqueue(
        'system',
        CLUSTER_SYNC_JOB,
        { clusterId: c.id },
        syncJobOptions(c.id),
      );
      ids.push(job.id);
    }
    return ids;
  }

  /**
   * Reads the cluster and replaces its rows. A failed read keeps the last good rows and records
   * the error in the cluster's sync status, then fails (so the job shows it too).
   */
  async sync(clusterId: string, options: { jobId?: string; signal?: AbortSignal } = {}): Promise<SyncResult> {
    let inventory: ClusterInventory;
    try {
      inventory = await this.connections.with(clusterId, (pve) =>
        readClusterInventory(pve, { signal: options.signal }),
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const before = await this.repo.status(clusterId);
      await this.repo.saveStatus({
        cluster_id: clusterId,
        last_sync: 'failed',
        last_sync_at: now(),
        last_sync_error: message,
        last_sync_job_id: options.jobId ?? null,
        cluster_name: before?.cluster_name ?? null,
        quorum: before?.quorum ?? null,
        ceph: before?.ceph ?? null,
        updated_at: now(),
      });
      await this.events.publish(inventoryChanged('cluster-inventory', 'updated', clusterId, null));
      throw error;
    }

    const stamp = now();
    const result = await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.current(clusterId, tx);
      const hosts = await this.repo.hostsForMatching(tx);
      const matches = matchHosts(
        inventory.nodes.map((n) => n.name),
        hosts.map((h) => ({ id: h.id, hostname: h.hostname, tailscale: tailscaleHostname(h.settings) })),
      );
      const rows = toRows(clusterId, inventory, before, matches, stamp);
      await this.repo.replace(clusterId, rows, tx);

      const hostsMatched: string[] = [];
      const hostIds: string[] = [];
      for (const [node, hostId] of matches) {
        const host = hosts.find((h) => h.id === hostId);
        // A host someone assigned to another cluster keeps that assignment; the node link is still stored.
        if (!host || host.cluster_id !== null) continue;
        await this.repo.setHostCluster(hostId, clusterId, stamp, tx);
        await this.audit.record(
          systemCaller('cluster.sync'),
          'host.cluster-match',
          { type: 'host', id: hostId },
          { clusterId, node, hostname: host.hostname },
          tx,
        );
        hostsMatched.push(host.hostname);
        hostIds.push(hostId);
      }
      await this.repo.saveStatus(
        {
          cluster_id: clusterId,
          last_sync: 'ok',
          last_sync_at: stamp,
          last_sync_error: null,
          last_sync_job_id: options.jobId ?? null,
          cluster_name: inventory.clusterName,
          quorum: JSON.stringify(inventory.quorum),
          ceph: inventory.ceph ? JSON.stringify(inventory.ceph) : null,
          updated_at: stamp,
        },
        tx,
      );
      return { ...diff(before, rows), hostsMatched, hostIds };
    });
    await this.events.publish(inventoryChanged('cluster-inventory', 'updated', clusterId, null));
    const { hostIds, ...counts } = result;
    for (const hostId of hostIds)
      await this.events.publish(inventoryChanged('host', 'updated', hostId, null));
    return {
      nodes: inventory.nodes.length,
      guests: inventory.guests.length,
      storages: inventory.storages.length,
      gpus: inventory.gpus.length,
      ...counts,
    };
  }

  async status(clusterId: string): Promise<ClusterSyncStatus> {
    await this.connections.cluster(clusterId);
    const [row, counts] = await Promise.all([this.repo.status(clusterId), this.repo.counts(clusterId)]);
    return {
      clusterId,
      lastSync: row?.last_sync ?? 'never',
      lastSyncAt: row?.last_sync_at ?? null,
      lastSyncError: row?.last_sync_error ?? null,
      lastSyncJobId: row?.last_sync_job_id ?? null,
      clusterName: row?.cluster_name ?? null,
      quorum: row?.quorum ? (JSON.parse(row.quorum) as ClusterSyncStatus['quorum']) : null,
      ceph: row?.ceph ? (JSON.parse(row.ceph) as ClusterSyncStatus['ceph']) : null,
      counts,
    };
  }

  async nodes(clusterId: string): Promise<{ items: ClusterNode[] }> {
    await this.connections.cluster(clusterId);
    return { items: (await this.repo.nodes(clusterId)).map(toNode) };
  }

  async guests(clusterId: string, query: ClusterGuestListQuery): Promise<Page<ClusterGuest>> {
    await this.connections.cluster(clusterId);
    return this.repo.guestPage(clusterId, query, toGuest);
  }

  async storages(clusterId: string): Promise<{ items: ClusterStorage[] }> {
    await this.connections.cluster(clusterId);
    return { items: (await this.repo.storages(clusterId)).map(toStorage) };
  }

  async gpus(clusterId: string): Promise<{ items: ClusterGpu[] }> {
    await this.connections.cluster(clusterId);
    const [rows, guests] = await Promise.all([this.repo.gpus(clusterId), this.repo.gpuGuests(clusterId)]);
    const gpus = rows.map(toGpu);
    // Recomputed from the stored guests: who may hold a mapped GPU is not a fact PVE stores.
    const users = attributeGpus(gpus, guests.map(toGuest));
    return { items: gpus.map((gpu, i) => ({ ...gpu, ...users[i] })) };
  }

  /** One guest by VMID with the GPUs it holds or may hold (attributed over all GPUs of the cluster). */
  async guest(clusterId: string, vmid: number): Promise<ClusterGuestDetail> {
    await this.connections.cluster(clusterId);
    const row = await this.repo.guest(clusterId, vmid);
    if (!row) throw new NotFound(`Guest ${vmid} (as of the last sync)`);
    const { items } = await this.gpus(clusterId);
    const gpus = items.filter(
      (gpu) => gpu.usedBy?.vmid === vmid || gpu.maybeUsedBy.some((maybe) => maybe.vmid === vmid),
    );
    return { guest: toGuest(row), gpus };
  }
}

export const syncJobOptions = (clusterId: string) => ({
  customerId: null,
  dedupeKey: `cluster.sync:${clusterId}`,
});

function tailscaleHostname(settings: string): string | undefined {
  try {
    const parsed = JSON.parse(settings) as { networking?: { tailscale?: { hostname?: unknown } } };
    const name = parsed.networking?.tailscale?.hostname;
    return typeof name === 'string' ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Node → host id, only for exact (case-insensitive) matches: the host's hostname first, else its
 * Tailscale hostname. Two hosts matching one node by the same rule match neither: never guess.
 */
export function matchHosts(
  nodes: string[],
  hosts: { id: string; hostname: string; tailscale: string | undefined }[],
): Map<string, string> {
  const matches = new Map<string, string>();
  for (const node of nodes) {
    const key = node.toLowerCase();
    const byName = hosts.filter((h) => h.hostname.toLowerCase() === key);
    const byTailscale = hosts.filter((h) => h.tailscale?.toLowerCase() === key);
    const pick = byName.length > 0 ? byName : byTailscale;
    if (pick.length === 1) matches.set(node, (pick[0] as { id: string }).id);
  }
  return matches;
}

function toRows(
  clusterId: string,
  inventory: ClusterInventory,
  before: InventoryRows,
  matches: Map<string, string>,
  stamp: string,
): InventoryRows {
  const idOf = <R extends { id: string }>(rows: R[], key: (r: R) => string) => {
    const ids = new Map(rows.map((r) => [key(r), r.id]));
    return (k: string) => ids.get(k) ?? randomUUID();
  };
  const nodeId = idOf(before.nodes, (r) => r.name);
  const guestId = idOf(before.guests, (r) => String(r.vmid));
  const storageId = idOf(before.storages, (r) => `${r.node}/${r.storage}`);
  const gpuId = idOf(before.gpus, (r) => `${r.node}/${r.pci_id}`);
  return {
    nodes: inventory.nodes.map((n) => ({
      id: nodeId(n.name),
      cluster_id: clusterId,
      name: n.name,
      status: n.status,
      online: toFlag(n.online),
      cpu_usage: n.cpuUsage,
      max_cpu: n.maxCpu,
      mem_used: Math.round(n.memoryUsedBytes),
      mem_total: Math.round(n.memoryTotalBytes),
      uptime: Math.round(n.uptimeSeconds),
      ip: n.ip,
      host_id: matches.get(n.name) ?? null,
      synced_at: stamp,
    })),
    guests: inventory.guests.map((g) => ({
      id: guestId(String(g.vmid)),
      cluster_id: clusterId,
      vmid: g.vmid,
      type: g.type,
      node: g.node,
      name: g.name,
      status: g.status,
      template: toFlag(g.template),
      cores: g.cores,
      memory_mib: g.memoryMiB,
      tags: JSON.stringify(g.tags),
      disks: JSON.stringify(g.disks),
      nics: JSON.stringify(g.nics),
      gpus: JSON.stringify(g.gpus),
      cpu_usage: g.cpuUsage,
      uptime: Math.round(g.uptimeSeconds),
      synced_at: stamp,
    })),
    storages: inventory.storages.map((s) => ({
      id: storageId(`${s.node}/${s.storage}`),
      cluster_id: clusterId,
      storage: s.storage,
      node: s.node,
      type: s.type,
      content: JSON.stringify(s.content),
      shared: toFlag(s.shared),
      status: s.status,
      total: Math.round(s.totalBytes),
      used: Math.round(s.usedBytes),
    })),
    gpus: inventory.gpus.map((g) => ({
      id: gpuId(`${g.node}/${g.pciId}`),
      cluster_id: clusterId,
      node: g.node,
      pci_id: g.pciId,
      name: g.name,
      vendor_id: g.vendorId,
      device_id: g.deviceId,
      mappings: JSON.stringify(g.mappings),
      used_by_vmid: g.usedBy?.vmid ?? null,
      used_by_name: g.usedBy?.name ?? null,
      used_via: g.usedBy?.via ?? null,
    })),
  };
}

/** What changed between two readings, ignoring ever-moving figures (load, uptime, sync time). */
function diff(
  before: InventoryRows,
  after: InventoryRows,
): { added: number; removed: number; changed: number } {
  let added = 0;
  let removed = 0;
  let changed = 0;
  const volatile = new Set(['synced_at', 'cpu_usage', 'uptime', 'mem_used', 'used']);
  const stable = (row: object) =>
    JSON.stringify(
      Object.entries(row)
        .filter(([k]) => !volatile.has(k))
        // PostgreSQL reads bigint back as text.
        .map(([k, v]) => [k, typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v]),
    );
  for (const table of ['nodes', 'guests', 'storages', 'gpus'] as const) {
    const old = new Map<string, string>(before[table].map((r) => [r.id, stable(r)]));
    const ids = new Set<string>();
    for (const row of after[table]) {
      ids.add(row.id);
      const was = old.get(row.id);
      if (was === undefined) added++;
      else if (was !== stable(row)) changed++;
    }
    for (const id of old.keys()) if (!ids.has(id)) removed++;
  }
  return { added, removed, changed };
}

const parseJson = <T>(text: string): T => JSON.parse(text) as T;

function toNode(row: NodeWithHost): ClusterNode {
  return {
    id: row.id,
    clusterId: row.cluster_id,
    name: row.name,
    status: row.status,
    online: fromFlag(row.online),
    cpuUsage: row.cpu_usage === null ? null : Number(row.cpu_usage),
    maxCpu: Number(row.max_cpu),
    memoryUsedBytes: Number(row.mem_used),
    memoryTotalBytes: Number(row.mem_total),
    uptimeSeconds: Number(row.uptime),
    ip: row.ip,
    hostId: row.host_id,
    hostname: row.hostname,
    syncedAt: row.synced_at,
  };
}

function toGuest(row: ClusterGuestsTable): ClusterGuest {
  return {
    id: row.id,
    clusterId: row.cluster_id,
    vmid: Number(row.vmid),
    type: row.type as ClusterGuest['type'],
    node: row.node,
    name: row.name,
    status: row.status,
    template: fromFlag(row.template),
    cores: row.cores === null ? null : Number(row.cores),
    memoryMiB: row.memory_mib === null ? null : Number(row.memory_mib),
    tags: parseJson(row.tags),
    disks: parseJson(row.disks),
    nics: parseJson(row.nics),
    gpus: parseJson(row.gpus),
    cpuUsage: row.cpu_usage === null ? null : Number(row.cpu_usage),
    uptimeSeconds: Number(row.uptime),
    syncedAt: row.synced_at,
  };
}

function toStorage(row: ClusterStoragesTable): ClusterStorage {
  return {
    id: row.id,
    clusterId: row.cluster_id,
    storage: row.storage,
    node: row.node,
    type: row.type,
    content: parseJson(row.content),
    shared: fromFlag(row.shared),
    status: row.status,
    totalBytes: Number(row.total),
    usedBytes: Number(row.used),
  };
}

function toGpu(row: ClusterGpusTable): ClusterGpu {
  // maybeUsedBy is filled in by gpus() from the guests.
  return {
    id: row.id,
    clusterId: row.cluster_id,
    node: row.node,
    pciId: row.pci_id,
    name: row.name,
    vendorId: row.vendor_id,
    deviceId: row.device_id,
    mappings: parseJson(row.mappings),
    usedBy:
      row.used_by_vmid === null
        ? null
        : {
            vmid: Number(row.used_by_vmid),
            name: row.used_by_name ?? '',
            via: (row.used_via ?? 'pci') as 'pci' | 'mapping',
          },
    maybeUsedBy: [],
  };
}
