import { Inject, Injectable } from '@nestjs/common';
import type { ClusterGuestListQuery } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { DB } from '../../core/tokens.ts';
import type {
  ClusterGpusTable,
  ClusterGuestsTable,
  ClusterNodesTable,
  ClusterStoragesTable,
  ClusterSyncStatusTable,
} from './cluster-inventory.table.ts';

export interface InventoryRows {
  nodes: ClusterNodesTable[];
  guests: ClusterGuestsTable[];
  storages: ClusterStoragesTable[];
  gpus: ClusterGpusTable[];
}

export type NodeWithHost = ClusterNodesTable & { hostname: string | null };

const guestSort = { vmid: 'vmid', name: 'name' } as const;

/** The SQL of the cluster sync's tables (and the host ↔ node links it stores). */
@Injectable()
export class ClusterInventoryRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async current(clusterId: string, tx: Executor = this.db.kysely): Promise<InventoryRows> {
    const [nodes, guests, storages, gpus] = await Promise.all([
      tx.selectFrom('cluster_nodes').selectAll().where('cluster_id', '=', clusterId).execute(),
      tx.selectFrom('cluster_guests').selectAll().where('cluster_id', '=', clusterId).execute(),
      tx.selectFrom('cluster_storages').selectAll().where('cluster_id', '=', clusterId).execute(),
      tx.selectFrom('cluster_gpus').selectAll().where('cluster_id', '=', clusterId).execute(),
    ]);
    return { nodes, guests, storages, gpus };
  }

  /** Replaces the cluster's rows with a new reading (ids are chosen by the caller, kept across syncs). */
  async replace(clusterId: string, rows: InventoryRows, tx: Executor): Promise<void> {
    for (const table of ['cluster_gpus', 'cluster_guests', 'cluster_storages', 'cluster_nodes'] as const)
      await tx.deleteFrom(table).where('cluster_id', '=', clusterId).execute();
    // Chunks keep each statement under SQLite's and PostgreSQL's parameter limits.
    for (const chunk of chunks(rows.nodes)) await tx.insertInto('cluster_nodes').values(chunk).execute();
    for (const chunk of chunks(rows.guests)) await tx.insertInto('cluster_guests').values(chunk).execute();
    for (const chunk of chunks(rows.storages))
      await tx.insertInto('cluster_storages').values(chunk).execute();
    for (const chunk of chunks(rows.gpus)) await tx.insertInto('cluster_gpus').values(chunk).execute();
  }

  /** Hosts with what matching needs: hostname and the Tailscale hostname in settings. */
  hostsForMatching(tx: Executor = this.db.kysely) {
    return tx.selectFrom('hosts').select(['id', 'hostname', 'settings', 'cluster_id']).execute();
  }

  async setHostCluster(hostId: string, clusterId: string, updatedAt: string, tx: Executor): Promise<void> {
    await tx
      .updateTable('hosts')
      .set({ cluster_id: clusterId, updated_at: updatedAt })
      .where('id', '=', hostId)
      .execute();
  }

  async saveStatus(row: ClusterSyncStatusTable, tx: Executor = this.db.kysely): Promise<void> {
    const { cluster_id: _key, ...rest } = row;
    await tx
      .insertInto('cluster_sync_status')
      .values(row)
      .onConflict((oc) => oc.column('cluster_id').doUpdateSet(rest))
      .execute();
  }

  status(clusterId: string): Promise<ClusterSyncStatusTable | undefined> {
    return this.db.kysely
      .selectFrom('cluster_sync_status')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .executeTakeFirst();
  }

  async counts(
    clusterId: string,
  ): Promise<{ nodes: number; guests: number; storages: number; gpus: number }> {
    const count = async (
      table: 'cluster_nodes' | 'cluster_guests' | 'cluster_storages' | 'cluster_gpus',
    ): Promise<number> => {
      const row = await this.db.kysely
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('cluster_id', '=', clusterId)
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    const [nodes, guests, storages, gpus] = await Promise.all([
      count('cluster_nodes'),
      count('cluster_guests'),
      count('cluster_storages'),
      count('cluster_gpus'),
    ]);
    return { nodes, guests, storages, gpus };
  }

  nodes(clusterId: string): Promise<NodeWithHost[]> {
    return this.db.kysely
      .selectFrom('cluster_nodes')
      .leftJoin('hosts', 'hosts.id', 'cluster_nodes.host_id')
      .selectAll('cluster_nodes')
      .select('hosts.hostname as hostname')
      .where('cluster_nodes.cluster_id', '=', clusterId)
      .orderBy('cluster_nodes.name')
      .execute();
  }

  async guestPage<T>(clusterId: string, query: ClusterGuestListQuery, map: (row: ClusterGuestsTable) => T) {
    let base = this.db.kysely.selectFrom('cluster_guests').where('cluster_id', '=', clusterId);
    if (query.node) base = base.where('node', '=', query.node);
    if (query.status) base = base.where('status', '=', query.status);
    if (query.type) base = base.where('type', '=', query.type);
    const column = guestSort[query.sort];
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'cluster_guests', column, query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r[column], map, Number(count.n));
  }

  guest(clusterId: string, vmid: number): Promise<ClusterGuestsTable | undefined> {
    return this.db.kysely
      .selectFrom('cluster_guests')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .where('vmid', '=', vmid)
      .executeTakeFirst();
  }

  storages(clusterId: string): Promise<ClusterStoragesTable[]> {
    return this.db.kysely
      .selectFrom('cluster_storages')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .orderBy('node')
      .orderBy('storage')
      .execute();
  }

  gpus(clusterId: string): Promise<ClusterGpusTable[]> {
    return this.db.kysely
      .selectFrom('cluster_gpus')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .orderBy('node')
      .orderBy('pci_id')
      .execute();
  }

  /** VMs whose config passes PCI devices (raw or mapped), to work out who uses which GPU. */
  gpuGuests(clusterId: string): Promise<ClusterGuestsTable[]> {
    return this.db.kysely
      .selectFrom('cluster_guests')
      .selectAll()
      .where('cluster_id', '=', clusterId)
      .where('type', '=', 'qemu')
      .where('gpus', '!=', '[]')
      .orderBy('vmid')
      .execute();
  }

  /** The imported YAML of hosts linked to the cluster, as plan input (file name = the host's source). */
  async hostFiles(clusterId: string): Promise<{ name: string; content: string }[]> {
    const rows = await this.db.kysely
      .selectFrom('hosts')
      .select(['source', 'source_yaml'])
      .where('cluster_id', '=', clusterId)
      .where('source_yaml', 'is not', null)
      .orderBy('hostname')
      .execute();
    return rows.map((r) => ({ name: r.source, content: r.source_yaml as string }));
  }

  /** Proxmox clusters that can be synced (an API URL is set). */
  proxmoxClusters(): Promise<{ id: string; name: string }[]> {
    return this.db.kysely
      .selectFrom('clusters')
      .select(['id', 'name'])
      .where('type', '=', 'proxmox')
      .where('api_url', 'is not', null)
      .orderBy('name')
      .execute();
  }
}

function* chunks<T>(rows: T[], size = 200): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size);
}
