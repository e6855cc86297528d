import { Inject, Injectable } from '@nestjs/common';
import type { Deployment, DeploymentListQuery, Page } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { containsText } from '../../core/database/text-match.ts';
import { DB } from '../../core/tokens.ts';
import type { DeploymentsTable } from './deployments.table.ts';

const sortColumns = { name: 'name', status: 'status', createdAt: 'created_at' } as const;

@Injectable()
export class DeploymentsRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async page(query: DeploymentListQuery & { scopeCustomerId: string | null }): Promise<Page<Deployment>> {
    let base = this.db.kysely.selectFrom('deployments');
    if (query.scopeCustomerId) base = base.where('customer_id', '=', query.scopeCustomerId);
    if (query.customerId) base = base.where('customer_id', '=', query.customerId);
    if (query.hostId) base = base.where('host_id', '=', query.hostId);
    if (query.kind) base = base.where('kind', '=', query.kind);
    if (query.status) base = base.where('status', '=', query.status);
    if (query.q) base = base.where(containsText('deployments.name', query.q));
    const column = sortColumns[query.sort];
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'deployments', column, query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r[column], toDeployment, Number(count.n));
  }

  async find(id: string, scopeCustomerId: string | null, tx: Executor = this.db.kysely) {
    let q = tx.selectFrom('deployments').selectAll().where('id', '=', id);
    if (scopeCustomerId) q = q.where('customer_id', '=', scopeCustomerId);
    return q.executeTakeFirst();
  }

  async insert(row: DeploymentsTable, tx: Executor): Promise<void> {
    await tx.insertInto('deployments').values(row).execute();
  }

  async update(id: string, patch: Partial<DeploymentsTable>, tx: Executor): Promise<void> {
    await tx.updateTable('deployments').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string, tx: Executor): Promise<void> {
    await tx.deleteFrom('deployments').where('id', '=', id).execute();
  }
}

export function toDeployment(row: DeploymentsTable): Deployment {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind as Deployment['kind'],
    status: row.status as Deployment['status'],
    customerId: row.customer_id,
    hostId: row.host_id,
    runtime: row.runtime,
    description: row.description,
    tags: JSON.parse(row.tags) as string[],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
