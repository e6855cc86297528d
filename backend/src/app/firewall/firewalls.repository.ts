import { Inject, Injectable } from '@nestjs/common';
import type { FirewallListQuery } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { containsText } from '../../core/database/text-match.ts';
import { DB } from '../../core/tokens.ts';
import type { FirewallStatusTable, FirewallsTable } from './firewalls.table.ts';

const sortColumns = { name: 'name', site: 'site', createdAt: 'created_at' } as const;

@Injectable()
export class FirewallsRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async page<T>(query: FirewallListQuery, map: (row: FirewallsTable) => T) {
    let base = this.db.kysely.selectFrom('firewalls');
    if (query.site) base = base.where('site', '=', query.site);
    if (query.q) base = base.where(containsText('firewalls.name', query.q));
    const column = sortColumns[query.sort];
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'firewalls', column, query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r[column], map, Number(count.n));
  }

  all(): Promise<FirewallsTable[]> {
    return this.db.kysely.selectFrom('firewalls').selectAll().orderBy('name').execute();
  }

  find(id: string, tx: Executor = this.db.kysely): Promise<FirewallsTable | undefined> {
    return tx.selectFrom('firewalls').selectAll().where('id', '=', id).executeTakeFirst();
  }

  findByName(name: string, tx: Executor = this.db.kysely): Promise<FirewallsTable | undefined> {
    return tx.selectFrom('firewalls').selectAll().where('name', '=', name).executeTakeFirst();
  }

  async insert(row: FirewallsTable, tx: Executor): Promise<void> {
    await tx.insertInto('firewalls').values(row).execute();
  }

  async update(id: string, patch: Partial<FirewallsTable>, tx: Executor): Promise<void> {
    await tx.updateTable('firewalls').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string, tx: Executor): Promise<void> {
    await tx.deleteFrom('firewall_status').where('firewall_id', '=', id).execute();
    await tx.deleteFrom('firewalls').where('id', '=', id).execute();
  }

  async insertStatus(row: FirewallStatusTable): Promise<void> {
    await this.db.kysely.insertInto('firewall_status').values(row).execute();
  }

  /** Newest first. */
  recentStatus(firewallId: string, limit: number): Promise<FirewallStatusTable[]> {
    return this.db.kysely
      .selectFrom('firewall_status')
      .selectAll()
      .where('firewall_id', '=', firewallId)
      .orderBy('collected_at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
  }

  /** History is kept for a while, not forever. */
  async pruneStatus(before: string): Promise<number> {
    const result = await this.db.kysely
      .deleteFrom('firewall_status')
      .where('collected_at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
