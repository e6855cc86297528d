import type { Kysely } from 'kysely';

/**
 * What a Proxmox cluster sync reads: nodes, guests (VMs and containers), storages, node GPUs,
 * and per cluster the last sync's outcome with quorum and Ceph health. Rows keep their ids
 * across syncs (matched by their natural key) so the console can link to them.
 * Byte counts are `bigint`: 512 GiB does not fit PostgreSQL's `integer`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('cluster_sync_status')
    .addColumn('cluster_id', 'text', (c) => c.primaryKey().references('clusters.id').onDelete('cascade'))
    .addColumn('last_sync', 'text', (c) => c.notNull())
    .addColumn('last_sync_at', 'text')
    .addColumn('last_sync_error', 'text')
    .addColumn('last_sync_job_id', 'text')
    .addColumn('cluster_name', 'text')
    .addColumn('quorum', 'text') // JSON {quorate, online, total}
    .addColumn('ceph', 'text') // JSON {health, checks}
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('cluster_nodes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('online', 'integer', (c) => c.notNull())
    .addColumn('cpu_usage', 'real')
    .addColumn('max_cpu', 'integer', (c) => c.notNull())
    .addColumn('mem_used', 'bigint', (c) => c.notNull())
    .addColumn('mem_total', 'bigint', (c) => c.notNull())
    .addColumn('uptime', 'bigint', (c) => c.notNull())
    .addColumn('ip', 'text')
    .addColumn('host_id', 'text', (c) => c.references('hosts.id').onDelete('set null'))
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('cluster_nodes_name', ['cluster_id', 'name'])
    .execute();

  await db.schema
    .createTable('cluster_guests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('vmid', 'integer', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('template', 'integer', (c) => c.notNull())
    .addColumn('cores', 'integer')
    .addColumn('memory_mib', 'integer')
    .addColumn('tags', 'text', (c) => c.notNull()) // JSON arrays, read only as a whole
    .addColumn('disks', 'text', (c) => c.notNull())
    .addColumn('nics', 'text', (c) => c.notNull())
    .addColumn('gpus', 'text', (c) => c.notNull())
    .addColumn('cpu_usage', 'real')
    .addColumn('uptime', 'bigint', (c) => c.notNull())
    .addColumn('synced_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('cluster_guests_vmid', ['cluster_id', 'vmid'])
    .execute();
  await db.schema
    .createIndex('cluster_guests_name')
    .on('cluster_guests')
    .columns(['cluster_id', 'name', 'id'])
    .execute();

  await db.schema
    .createTable('cluster_storages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('storage', 'text', (c) => c.notNull())
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('type', 'text')
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('shared', 'integer', (c) => c.notNull())
    .addColumn('status', 'text')
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('used', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('cluster_storages_key', ['cluster_id', 'node', 'storage'])
    .execute();

  await db.schema
    .createTable('cluster_gpus')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('cluster_id', 'text', (c) => c.notNull().references('clusters.id').onDelete('cascade'))
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('pci_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('vendor_id', 'text', (c) => c.notNull())
    .addColumn('device_id', 'text', (c) => c.notNull())
    .addColumn('mappings', 'text', (c) => c.notNull())
    .addColumn('used_by_vmid', 'integer')
    .addColumn('used_by_name', 'text')
    .addColumn('used_via', 'text')
    .addUniqueConstraint('cluster_gpus_key', ['cluster_id', 'node', 'pci_id'])
    .execute();
}
