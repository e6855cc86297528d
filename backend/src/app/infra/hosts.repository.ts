import { Inject, Injectable } from '@nestjs/common';
import type { Host, HostListQuery, Page } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { fromFlag } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { containsText } from '../../core/database/text-match.ts';
import { DB } from '../../core/tokens.ts';
import type { HostsTable } from './hosts.table.ts';

export interface HostRow extends HostsTable {
  roles: string[];
  tags: string[];
}

const sortColumns = {
  hostname: 'hostname',
  ipAddress: 'ip_address',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
} as const;

@Injectable()
export class HostsRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async page(query: HostListQuery & { scopeCustomerId: string | null }): Promise<Page<Host>> {
    let base = this.db.kysely.selectFrom('hosts');
    if (query.scopeCustomerId) base = base.where('hosts.customer_id', '=', query.scopeCustomerId);
    if (query.customerId) base = base.where('hosts.customer_id', '=', query.customerId);
    if (query.clusterId) base = base.where('hosts.cluster_id', '=', query.clusterId);
    if (query.gpu !== undefined) base = base.where('hosts.gpu', '=', query.gpu ? 1 : 0);
    if (query.q) {
      const text = query.q;
      base = base.where((eb) =>
        eb.or([containsText('hosts.hostname', text), containsText('hosts.ip_address', text)]),
      );
    }
    for (const [kind, value] of [
      ['role', query.role],
      ['tag', query.tag],
    ] as const) {
      if (value === undefined) continue;
      base = base.where((eb) =>
        eb.exists(
          eb
            .selectFrom('host_labels')
            .select('host_labels.host_id')
            .whereRef('host_labels.host_id', '=', 'hosts.id')
            .where('host_labels.kind', '=', kind)
            .where('host_labels.value', '=', value),
        ),
      );
    }
    const column = sortColumns[query.sort];
    const [rows, count] = await Promise.all([
      keyset(base.selectAll('hosts'), 'hosts', column, query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    const withLabels = await this.attachLabels(rows);
    return toPage(withLabels, query, (r) => r[column], toHost, Number(count.n));
  }

  async find(
    id: string,
    scopeCustomerId: string | null,
    tx: Executor = this.db.kysely,
  ): Promise<HostRow | undefined> {
    let q = tx.selectFrom('hosts').selectAll().where('id', '=', id);
    if (scopeCustomerId) q = q.where('customer_id', '=', scopeCustomerId);
    const row = await q.executeTakeFirst();
    return row && (await this.attachLabels([row], tx))[0];
  }

  async findByHostnames(hostnames: string[], tx: Executor = this.db.kysely): Promise<HostRow[]> {
    if (hostnames.length === 0) return [];
    const rows = await tx.selectFrom('hosts').selectAll().where('hostname', 'in', hostnames).execute();
    return this.attachLabels(rows, tx);
  }

  async insert(row: HostRow, tx: Executor): Promise<void> {
    const { roles, tags, ...host } = row;
    await tx.insertInto('hosts').values(host).execute();
    await this.writeLabels(row.id, roles, tags, tx);
  }

  async update(row: HostRow, tx: Executor): Promise<void> {
    const { roles, tags, id, ...host } = row;
    await tx.updateTable('hosts').set(host).where('id', '=', id).execute();
    await tx.deleteFrom('host_labels').where('host_id', '=', id).execute();
    await this.writeLabels(id, roles, tags, tx);
  }

  async delete(id: string, tx: Executor): Promise<void> {
    await tx.deleteFrom('hosts').where('id', '=', id).execute();
  }

  async deploymentsOn(id: string, tx: Executor): Promise<number> {
    const row = await tx
      .selectFrom('deployments')
      .where('host_id', '=', id)
      .where('status', '!=', 'removed')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private async writeLabels(hostId: string, roles: string[], tags: string[], tx: Executor): Promise<void> {
    const labels = [
      ...unique(roles).map((value, position) => ({
        host_id: hostId,
        kind: 'role' as const,
        value,
        position,
      })),
      ...unique(tags).map((value, position) => ({ host_id: hostId, kind: 'tag' as const, value, position })),
    ];
    if (labels.length > 0) await tx.insertInto('host_labels').values(labels).execute();
  }

  /** One query for the labels of a whole page, not one per host. */
  private async attachLabels(rows: HostsTable[], tx: Executor = this.db.kysely): Promise<HostRow[]> {
    if (rows.length === 0) return [];
    const labels = await tx
      .selectFrom('host_labels')
      .selectAll()
      .where(
        'host_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('position')
      .execute();
    const byHost = new Map<string, { roles: string[]; tags: string[] }>();
    for (const label of labels) {
      const entry = byHost.get(label.host_id) ?? { roles: [], tags: [] };
      (label.kind === 'role' ? entry.roles : entry.tags).push(label.value);
      byHost.set(label.host_id, entry);
    }
    return rows.map((row) => ({ ...row, ...(byHost.get(row.id) ?? { roles: [], tags: [] }) }));
  }
}

const unique = (values: string[]): string[] => [...new Set(values)];

export function toHost(row: HostRow): Host {
  return {
    id: row.id,
    hostname: row.hostname,
    ipAddress: row.ip_address,
    roles: row.roles,
    tags: row.tags,
    settings: JSON.parse(row.settings) as Record<string, unknown>,
    os: row.os,
    gpu: fromFlag(row.gpu),
    clusterId: row.cluster_id,
    customerId: row.customer_id,
    source: row.source,
    sourceYaml: row.source_yaml,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
