import { Inject, Injectable } from '@nestjs/common';
import type { Customer, CustomerListQuery, Page } from '@skyy/contracts';
import type { Db, Executor } from '../../core/database/database.ts';
import { keyset, toPage } from '../../core/database/pagination.ts';
import { containsText } from '../../core/database/text-match.ts';
import { DB } from '../../core/tokens.ts';
import type { CustomersTable } from './customers.table.ts';

@Injectable()
export class CustomersRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async page(query: CustomerListQuery & { customerId: string | null }): Promise<Page<Customer>> {
    let base = this.db.kysely.selectFrom('customers');
    if (query.customerId) base = base.where('id', '=', query.customerId);
    if (query.q) base = base.where(containsText('customers.name_key', query.q));
    const column = query.sort === 'name' ? 'name_key' : 'created_at';
    const [rows, count] = await Promise.all([
      keyset(base.selectAll(), 'customers', column, query).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return toPage(rows, query, (r) => r[column], toCustomer, Number(count.n));
  }

  async find(
    id: string,
    customerId: string | null,
    tx: Executor = this.db.kysely,
  ): Promise<Customer | undefined> {
    let q = tx.selectFrom('customers').selectAll().where('id', '=', id);
    if (customerId) q = q.where('id', '=', customerId);
    const row = await q.executeTakeFirst();
    return row && toCustomer(row);
  }

  async findByName(name: string, tx: Executor = this.db.kysely): Promise<Customer | undefined> {
    const row = await tx
      .selectFrom('customers')
      .selectAll()
      .where('name_key', '=', name.toLowerCase())
      .executeTakeFirst();
    return row && toCustomer(row);
  }

  async insert(row: CustomersTable, tx: Executor = this.db.kysely): Promise<Customer> {
    await tx.insertInto('customers').values(row).execute();
    return toCustomer(row);
  }

  async update(id: string, patch: Partial<CustomersTable>, tx: Executor = this.db.kysely): Promise<void> {
    await tx.updateTable('customers').set(patch).where('id', '=', id).execute();
  }

  async delete(id: string, tx: Executor = this.db.kysely): Promise<void> {
    await tx.deleteFrom('customers').where('id', '=', id).execute();
  }

  /** What still points at a customer; a customer with dependants cannot be deleted. */
  async dependants(
    id: string,
    tx: Executor = this.db.kysely,
  ): Promise<{ hosts: number; deployments: number; users: number }> {
    const count = async (table: 'hosts' | 'deployments' | 'users') => {
      const row = await tx
        .selectFrom(table)
        .where('customer_id', '=', id)
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    };
    return {
      hosts: await count('hosts'),
      deployments: await count('deployments'),
      users: await count('users'),
    };
  }
}

function toCustomer(row: CustomersTable): Customer {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    notes: row.notes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
