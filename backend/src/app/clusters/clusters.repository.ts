import { Inject, Injectable } from '@nestjs/common';
import type { ClusterListQuery } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { containsText } from '../../core/database/text-match.ts';
import { DB } from '../../core/tokens.ts';
import type { ClustersTable } from './clusters.table.ts';

const sortColumns = { name: 'name', type: 'type', createdAt: 'created_at' } as const;

@Injectable()
export class ClustersRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async page<T>(query: ClusterListQuery, map: (row: ClustersTable) => T) {
    let base = this.db.kysely.selectFrom('clusters');
    if (query.type) base = base.where('type', '=', query.type);
    if (query.q) base = base.where(containsText('clusters.name', query.q));
    const column = sortColumns[query.sort];
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'clusters', column, query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r[column], map, Number(count.n));
  }

  find(id: string, tx: Executor = this.db.kysely): Promise<ClustersTable | undefined> {
    return tx.selectFrom('clusters').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByName(name: string, tx: Executor = this.db.kysely): Promise<ClustersTable | undefined> {
    return tx.selectFrom('clusters').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async insert(row: ClustersTable, tx: Executor): Promise<void> {
    await tx.insertInto('clusters').values(row).execute();
  }

  async update(id: string, patch: Partial<ClustersTable>, tx: Executor): Promise<void> {
    await tx.updateTable('clusters').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string, tx: Executor): Promise<void> {
    await tx.deleteFrom('clusters').where('id', '=', id).execute();
  }
}
