import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Host, HostCreate, HostListQuery, HostUpdate, Page } from '@skyy/contracts';
import { now, toFlag, type Db, type Executor } from '../../core/database/database.ts';
import { Conflict, NotFound } from '../../core/errors/problems.ts';
import { EventBus, inventoryChanged } from '../../core/events/event-bus.ts';
import { scopeFor } from '../../core/http/access-scope.ts';
import type { Caller } from '../../core/http/caller.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { ReferencesRepository } from './references.repository.ts';
import { HostsRepository, toHost, type HostRow } from './hosts.repository.ts';

@Injectable()
export class HostsService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(HostsRepository) private readonly repo: HostsRepository,
    @Inject(ReferencesRepository) private readonly references: ReferencesRepository,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  list(caller: Caller, query: HostListQuery): Promise<Page<Host>> {
    return this.repo.page({ ...query, scopeCustomerId: scopeFor(caller).customerId });
  }

  async get(caller: Caller, id: string): Promise<Host> {
    const row = await this.repo.find(id, scopeFor(caller).customerId);
    if (!row) throw new NotFound('Host');
    return toHost(row);
  }

  async create(caller: Caller, input: HostCreate): Promise<Host> {
    const host = await this.db.kysely.transaction().execute(async (tx) => {
      await this.references.check(tx, { clusterId: input.clusterId, customerId: input.customerId });
      await this.assertHostnameFree(input.hostname, null, tx);
      const stamp = now();
      const row: HostRow = {
        id: randomUUID(),
        hostname: input.hostname,
        ip_address: input.ipAddress,
        settings: JSON.stringify(input.settings),
        os: settingOs(input.settings),
        gpu: toFlag(input.settings.gpu === true),
        cluster_id: input.clusterId,
        customer_id: input.customerId,
        source: 'api',
        source_yaml: null,
        created_at: stamp,
        updated_at: stamp,
        roles: input.roles,
        tags: input.tags,
      };
      await this.repo.insert(row, tx);
      const created = toHost(row);
      await this.audit.record(caller, 'host.create', hostTarget(created), { after: created }, tx);
      return created;
    });
    await this.events.publish(inventoryChanged('host', 'created', host.id, host.customerId));
    return host;
  }

  async update(caller: Caller, id: string, patch: HostUpdate): Promise<Host> {
    const host = await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, null, tx);
      if (!before) throw new NotFound('Host');
      await this.references.check(tx, { clusterId: patch.clusterId, customerId: patch.customerId });
      if (patch.hostname !== undefined) await this.assertHostnameFree(patch.hostname, id, tx);
      const settings = patch.settings ?? (JSON.parse(before.settings) as HostCreate['settings']);
      const row: HostRow = {
        ...before,
        hostname: patch.hostname ?? before.hostname,
        ip_address: patch.ipAddress ?? before.ip_address,
        settings: JSON.stringify(settings),
        os: settingOs(settings),
        gpu: toFlag(settings.gpu === true),
        cluster_id: patch.clusterId === undefined ? before.cluster_id : patch.clusterId,
        customer_id: patch.customerId === undefined ? before.customer_id : patch.customerId,
        roles: patch.roles ?? before.roles,
        tags: patch.tags ?? before.tags,
        updated_at: now(),
      };
      await this.repo.update(row, tx);
      const after = toHost(row);
      await this.audit.record(
        caller,
        'host.update',
        hostTarget(after),
        { before: toHost(before), after },
        tx,
      );
      return after;
    });
    await this.events.publish(inventoryChanged('host', 'updated', host.id, host.customerId));
    return host;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    const before = await this.db.kysely.transaction().execute(async (tx) => {
      const row = await this.repo.find(id, null, tx);
      if (!row) throw new NotFound('Host');
      const deployments = await this.repo.deploymentsOn(id, tx);
      if (deployments > 0) {
        throw new Conflict(
          `Host ${row.hostname} still runs ${deployments} deployment(s); move or remove them first.`,
        );
      }
      await this.repo.delete(id, tx);
      const host = toHost(row);
      await this.audit.record(caller, 'host.delete', hostTarget(host), { before: host }, tx);
      return host;
    });
    await this.events.publish(inventoryChanged('host', 'deleted', id, before.customerId));
  }

  private async assertHostnameFree(hostname: string, exceptId: string | null, tx: Executor): Promise<void> {
    const [existing] = await this.repo.findByHostnames([hostname], tx);
    if (existing && existing.id !== exceptId) {
      throw new Conflict(`A host named ${hostname} already exists.`, [
        { path: 'body.hostname', message: 'already taken' },
      ]);
    }
  }
}

export function settingOs(settings: Record<string, unknown>): string | null {
  return typeof settings.os === 'string' ? settings.os : null;
}

export function hostTarget(host: Host) {
  return { type: 'host', id: host.id, customerId: host.customerId };
}
