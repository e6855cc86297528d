import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Customer, CustomerCreate, CustomerListQuery, CustomerUpdate, Page } from '@skyy/contracts';
import { now, type Db } from '../../core/database/database.ts';
import { Conflict, Forbidden, NotFound } from '../../core/errors/problems.ts';
import { EventBus, inventoryChanged } from '../../core/events/event-bus.ts';
import { scopeFor } from '../../core/http/access-scope.ts';
import type { Caller } from '../../core/http/caller.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { CustomersRepository } from './customers.repository.ts';

@Injectable()
export class CustomersService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CustomersRepository) private readonly repo: CustomersRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  list(caller: Caller, query: CustomerListQuery): Promise<Page<Customer>> {
    return this.repo.page({ ...query, customerId: scopeFor(caller).customerId });
  }

  async get(caller: Caller, id: string): Promise<Customer> {
    const customer = await this.repo.find(id, scopeFor(caller).customerId);
    if (!customer) throw new NotFound('Customer');
    return customer;
  }

  async create(caller: Caller, input: CustomerCreate): Promise<Customer> {
    this.requireStaff(caller);
    const created = await this.db.kysely.transaction().execute(async (tx) => {
      if (await this.repo.findByName(input.name, tx)) throw this.duplicate(input.name);
      const stamp = now();
      const customer = await this.repo.insert(
        {
          id: randomUUID(),
          name: input.name,
          name_key: input.name.toLowerCase(),
          email: input.email,
          notes: input.notes,
          created_at: stamp,
          updated_at: stamp,
        },
        tx,
      );
      await this.audit.record(
        caller,
        'customer.create',
        { type: 'customer', id: customer.id, customerId: customer.id },
        { after: customer },
        tx,
      );
      return customer;
    });
    await this.events.publish(inventoryChanged('customer', 'created', created.id, created.id));
    return created;
  }

  async update(caller: Caller, id: string, patch: CustomerUpdate): Promise<Customer> {
    this.requireStaff(caller);
    const updated = await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, null, tx);
      if (!before) throw new NotFound('Customer');
      if (patch.name !== undefined && patch.name.toLowerCase() !== before.name.toLowerCase()) {
        if (await this.repo.findByName(patch.name, tx)) throw this.duplicate(patch.name);
      }
      const row = {
        ...(patch.name !== undefined ? { name: patch.name, name_key: patch.name.toLowerCase() } : {}),
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
        updated_at: now(),
      };
      await this.repo.update(id, row, tx);
      const after = (await this.repo.find(id, null, tx)) as Customer;
      await this.audit.record(
        caller,
        'customer.update',
        { type: 'customer', id, customerId: id },
        { before, after },
        tx,
      );
      return after;
    });
    await this.events.publish(inventoryChanged('customer', 'updated', id, id));
    return updated;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    this.requireStaff(caller);
    await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, null, tx);
      if (!before) throw new NotFound('Customer');
      const { hosts, deployments, users } = await this.repo.dependants(id, tx);
      if (hosts + deployments + users > 0) {
        throw new Conflict(
          `Customer "${before.name}" still has ${hosts} host(s), ${deployments} deployment(s) and ${users} user(s); move or delete them first.`,
        );
      }
      await this.repo.delete(id, tx);
      await this.audit.record(
        caller,
        'customer.delete',
        { type: 'customer', id, customerId: id },
        { before },
        tx,
      );
    });
    await this.events.publish(inventoryChanged('customer', 'deleted', id, id));
  }

  /** Customers never create or change customer records, even their own. */
  private requireStaff(caller: Caller): void {
    if (caller.role === 'customer') throw new Forbidden();
  }

  private duplicate(name: string): Conflict {
    return new Conflict(`A customer named "${name}" already exists.`, [
      { path: 'body.name', message: 'already taken' },
    ]);
  }
}
