import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  Deployment,
  DeploymentCreate,
  DeploymentListQuery,
  DeploymentUpdate,
  Page,
} from '@skyy/contracts';
import { now, type Db } from '../../core/database/database.ts';
import { NotFound } from '../../core/errors/problems.ts';
import { EventBus, inventoryChanged } from '../../core/events/event-bus.ts';
import { scopeFor } from '../../core/http/access-scope.ts';
import type { Caller } from '../../core/http/caller.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { ReferencesRepository } from '../infra/references.repository.ts';
import { DeploymentsRepository, toDeployment } from './deployments.repository.ts';
import type { DeploymentsTable } from './deployments.table.ts';

/** Deployment records (the runtime that deploys them arrives with the deployments issue). */
@Injectable()
export class DeploymentsService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(DeploymentsRepository) private readonly repo: DeploymentsRepository,
    @Inject(ReferencesRepository) private readonly references: ReferencesRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  list(caller: Caller, query: DeploymentListQuery): Promise<Page<Deployment>> {
    return this.repo.page({ ...query, scopeCustomerId: scopeFor(caller).customerId });
  }

  async get(caller: Caller, id: string): Promise<Deployment> {
    const row = await this.repo.find(id, scopeFor(caller).customerId);
    if (!row) throw new NotFound('Deployment');
    return toDeployment(row);
  }

  async create(caller: Caller, input: DeploymentCreate): Promise<Deployment> {
    const deployment = await this.db.kysely.transaction().execute(async (tx) => {
      await this.references.check(tx, { customerId: input.customerId, hostId: input.hostId });
      const stamp = now();
      const row: DeploymentsTable = {
        id: randomUUID(),
        name: input.name,
        kind: input.kind,
        status: input.status,
        customer_id: input.customerId,
        host_id: input.hostId,
        runtime: input.runtime,
        description: input.description,
        tags: JSON.stringify(input.tags),
        created_at: stamp,
        updated_at: stamp,
      };
      await this.repo.insert(row, tx);
      const created = toDeployment(row);
      await this.audit.record(caller, 'deployment.create', target(created), { after: created }, tx);
      return created;
    });
    await this.events.publish(
      inventoryChanged('deployment', 'created', deployment.id, deployment.customerId),
    );
    return deployment;
  }

  async update(caller: Caller, id: string, patch: DeploymentUpdate): Promise<Deployment> {
    const deployment = await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, null, tx);
      if (!before) throw new NotFound('Deployment');
      await this.references.check(tx, { hostId: patch.hostId });
      const row: Partial<DeploymentsTable> = {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.hostId !== undefined ? { host_id: patch.hostId } : {}),
        ...(patch.runtime !== undefined ? { runtime: patch.runtime } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.tags !== undefined ? { tags: JSON.stringify(patch.tags) } : {}),
        updated_at: now(),
      };
      await this.repo.update(id, row, tx);
      const after = toDeployment({ ...before, ...row });
      await this.audit.record(
        caller,
        'deployment.update',
        target(after),
        { before: toDeployment(before), after },
        tx,
      );
      return after;
    });
    await this.events.publish(inventoryChanged('deployment', 'updated', id, deployment.customerId));
    return deployment;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const before = await this.db.kysely.transaction().execute(async (tx) => {
      const row = await this.repo.find(id, null, tx);
      if (!row) throw new NotFound('Deployment');
      await this.repo.delete(id, tx);
      const deployment = toDeployment(row);
      await this.audit.record(caller, 'deployment.delete', target(deployment), { before: deployment }, tx);
      return deployment;
    });
    await this.events.publish(inventoryChanged('deployment', 'deleted', id, before.customerId));
  }
}

const target = (d: Deployment) => ({ type: 'deployment', id: d.id, customerId: d.customerId });
