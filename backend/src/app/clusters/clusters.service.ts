import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  Cluster,
  ClusterCreate,
  ClusterListQuery,
  ClusterUpdate,
  Page,
  SkyyConfig,
} from '@skyy/contracts';
import { fromFlag, now, toFlag, type Db, type Executor } from '../../core/database/database.ts';
import { Conflict, NotFound } from '../../core/errors/problems.ts';
import { EventBus, inventoryChanged } from '../../core/events/event-bus.ts';
import { systemCaller, type Caller } from '../../core/http/caller.ts';
import { SecretBox, secretStatus } from '../../core/secrets/secret-box.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { ClustersRepository } from './clusters.repository.ts';
import type { ClustersTable } from './clusters.table.ts';

/**
 * Proxmox, Ceph and Nomad clusters: where they are and how to reach them. Token secrets are
 * sealed with SecretBox (or kept as `env:NAME`) and the API only ever says whether one is set.
 */
@Injectable()
export class ClustersService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(ClustersRepository) private readonly repo: ClustersRepository,
    @Inject(SecretBox) private readonly secrets: SecretBox,
    @Inject(AuditService) private readonly audit: AuditService,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  list(_caller: Caller, query: ClusterListQuery): Promise<Page<Cluster>> {
    return this.repo.page(query, toCluster);
  }

  async get(_caller: Caller, id: string): Promise<Cluster> {
    const row = await this.repo.find(id);
    if (!row) throw new NotFound('Cluster');
    return toCluster(row);
  }

  async create(caller: Caller, input: ClusterCreate, source: 'api' | 'config' = 'api'): Promise<Cluster> {
    const cluster = await this.db.kysely.transaction().execute(async (tx) => {
      await this.assertNameFree(input.name, null, tx);
      const stamp = now();
      const row: ClustersTable = {
        id: randomUUID(),
        name: input.name,
        type: input.type,
        site: input.site,
        api_url: input.apiUrl,
        token_id: input.tokenId,
        token_secret: input.tokenSecret === null ? null : this.secrets.store(input.tokenSecret),
        tls_ca_file: input.tls.caFile,
        tls_fingerprint: input.tls.fingerprint,
        tls_insecure: toFlag(input.tls.insecure),
        source,
        created_at: stamp,
        updated_at: stamp,
      };
      await this.repo.insert(row, tx);
      const created = toCluster(row);
      await this.audit.record(
        caller,
        'cluster.create',
        { type: 'cluster', id: row.id },
        { after: created },
        tx,
      );
      return created;
    });
    await this.events.publish(inventoryChanged('cluster', 'created', cluster.id, null));
    return cluster;
  }

  async update(caller: Caller, id: string, patch: ClusterUpdate): Promise<Cluster> {
    const cluster = await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, tx);
      if (!before) throw new NotFound('Cluster');
      if (patch.name !== undefined) await this.assertNameFree(patch.name, id, tx);
      const row: Partial<ClustersTable> = {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.type !== undefined ? { type: patch.type } : {}),
        ...(patch.site !== undefined ? { site: patch.site } : {}),
        ...(patch.apiUrl !== undefined ? { api_url: patch.apiUrl } : {}),
        ...(patch.tokenId !== undefined ? { token_id: patch.tokenId } : {}),
        ...(patch.tokenSecret !== undefined
          ? { token_secret: patch.tokenSecret === null ? null : this.secrets.store(patch.tokenSecret) }
          : {}),
        ...(patch.tls !== undefined
          ? {
              tls_ca_file: patch.tls.caFile,
              tls_fingerprint: patch.tls.fingerprint,
              tls_insecure: toFlag(patch.tls.insecure),
            }
          : {}),
        updated_at: now(),
      };
      await this.repo.update(id, row, tx);
      const after = toCluster({ ...before, ...row });
      await this.audit.record(
        caller,
        'cluster.update',
        { type: 'cluster', id },
        { before: toCluster(before), after, tokenSecretChanged: patch.tokenSecret !== undefined },
        tx,
      );
      return after;
    });
    await this.events.publish(inventoryChanged('cluster', 'updated', id, null));
    return cluster;
  }

  async delete(caller: Caller, id: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (tx) => {
      const before = await this.repo.find(id, tx);
      if (!before) throw new NotFound('Cluster');
      await this.repo.delete(id, tx);
      await this.audit.record(
        caller,
        'cluster.delete',
        { type: 'cluster', id },
        { before: toCluster(before) },
        tx,
      );
    });
    await this.events.publish(inventoryChanged('cluster', 'deleted', id, null));
  }

  /** The token secret in clear, for integrations (Proxmox sync) only; never for the API. */
  async revealTokenSecret(id: string): Promise<string | undefined> {
    const row = await this.repo.find(id);
    return row?.token_secret ? this.secrets.reveal(row.token_secret) : undefined;
  }

  /**
   * Clusters declared in config.yaml appear in the inventory (source `config`). Existing rows
   * with the same name are updated in place; rows created in the console are left alone.
   */
  async syncFromConfig(clusters: SkyyConfig['clusters']): Promise<void> {
    const caller = systemCaller('config');
    for (const c of clusters) {
      const input: ClusterCreate = {
        name: c.name,
        type: c.type,
        site: c.site ?? null,
        apiUrl: c.api_url,
        tokenId: c.token_id ?? null,
        tokenSecret: c.token_secret ?? null,
        tls: {
          caFile: c.tls?.ca_file ?? null,
          fingerprint: c.tls?.fingerprint ?? null,
          insecure: c.tls?.insecure ?? false,
        },
      };
      const existing = await this.repo.findByName(c.name);
      if (!existing) {
        // Several replicas may start together: losing the insert race to another one is fine.
        await this.create(caller, input, 'config').catch(async (error: unknown) => {
          if (!(await this.repo.findByName(c.name))) throw error;
        });
      } else if (existing.source === 'config' && this.differs(existing, input))
        await this.update(caller, existing.id, input);
    }
  }

  private differs(row: ClustersTable, input: ClusterCreate): boolean {
    const secretSame =
      input.tokenSecret === null
        ? row.token_secret === null
        : row.token_secret !== null && this.secrets.matches(row.token_secret, input.tokenSecret);
    return (
      row.type !== input.type ||
      row.site !== input.site ||
      row.api_url !== input.apiUrl ||
      row.token_id !== input.tokenId ||
      row.tls_ca_file !== input.tls.caFile ||
      row.tls_fingerprint !== input.tls.fingerprint ||
      fromFlag(row.tls_insecure) !== input.tls.insecure ||
      !secretSame
    );
  }

  private async assertNameFree(name: string, exceptId: string | null, tx: Executor): Promise<void> {
    const existing = await this.repo.findByName(name, tx);
    if (existing && existing.id !== exceptId) {
      throw new Conflict(`A cluster named ${name} already exists.`, [
        { path: 'body.name', message: 'already taken' },
      ]);
    }
  }
}

export function toCluster(row: ClustersTable): Cluster {
  return {
    id: row.id,
    name: row.name,
    type: row.type as Cluster['type'],
    site: row.site,
    apiUrl: row.api_url,
    tokenId: row.token_id,
    tokenSecret: secretStatus(row.token_secret),
    tls: { caFile: row.tls_ca_file, fingerprint: row.tls_fingerprint, insecure: fromFlag(row.tls_insecure) },
    source: row.source as Cluster['source'],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
