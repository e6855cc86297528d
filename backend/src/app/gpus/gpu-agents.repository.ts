import { Inject, Injectable } from '@nestjs/common';
import type { Db, Executor } from '../../core/database/database.ts';
import { DB } from '../../core/tokens.ts';
import type { GpuAgentsTable, GpuConfigsTable } from './gpus.table.ts';

export type AgentHeartbeatFields = Pick<
  GpuAgentsTable,
  | 'last_seen_at'
  | 'last_ip'
  | 'version'
  | 'mode'
  | 'source'
  | 'config_source'
  | 'agent_stale'
  | 'chassis'
  | 'chassis_updated_at'
>;

/** Agent tokens and the central gpu_config.yaml. */
@Injectable()
export class GpuAgentsRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async insert(row: GpuAgentsTable, tx: Executor): Promise<void> {
    await tx.insertInto('gpu_agents').values(row).execute();
  }

  /** The active (not revoked) agent whose token hashes to `tokenHash`. */
  findActiveByTokenHash(tokenHash: string): Promise<GpuAgentsTable | undefined> {
    return this.db.kysely
      .selectFrom('gpu_agents')
      .selectAll()
      .where('token_hash', '=', tokenHash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  findActiveByHost(host: string, tx: Executor = this.db.kysely): Promise<GpuAgentsTable | undefined> {
    return tx
      .selectFrom('gpu_agents')
      .selectAll()
      .where('host', '=', host)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  findActive(id: string, tx: Executor): Promise<GpuAgentsTable | undefined> {
    return tx
      .selectFrom('gpu_agents')
      .selectAll()
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  }

  listActive(tx: Executor = this.db.kysely): Promise<GpuAgentsTable[]> {
    return tx.selectFrom('gpu_agents').selectAll().where('revoked_at', 'is', null).orderBy('host').execute();
  }

  /** Active agents whose last heartbeat is before `before`, or that never sent one. */
  listSilentSince(before: string, tx: Executor = this.db.kysely): Promise<GpuAgentsTable[]> {
    return tx
      .selectFrom('gpu_agents')
      .selectAll()
      .where('revoked_at', 'is', null)
      .where('last_seen_at', 'is not', null)
      .where('last_seen_at', '<', before)
      .execute();
  }

  async revoke(id: string, at: string, tx: Executor): Promise<void> {
    await tx
      .updateTable('gpu_agents')
      .set({ revoked_at: at })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
  }

  async recordHeartbeat(id: string, fields: AgentHeartbeatFields, tx: Executor): Promise<void> {
    await tx.updateTable('gpu_agents').set(fields).where('id', '=', id).execute();
  }

  async gpuCounts(tx: Executor = this.db.kysely): Promise<Map<string, number>> {
    const rows = await tx
      .selectFrom('gpus')
      .select(['host', (eb) => eb.fn.countAll<number>().as('n')])
      .groupBy('host')
      .execute();
    return new Map(rows.map((r) => [r.host, Number(r.n)]));
  }

  // ---- config

  findConfig(host: string, tx: Executor = this.db.kysely): Promise<GpuConfigsTable | undefined> {
    return tx.selectFrom('gpu_configs').selectAll().where('host', '=', host).executeTakeFirst();
  }

  async upsertConfig(row: GpuConfigsTable, tx: Executor): Promise<void> {
    await tx
      .insertInto('gpu_configs')
      .values(row)
      .onConflict((oc) =>
        oc.column('host').doUpdateSet({
          yaml: row.yaml,
          etag: row.etag,
          updated_at: row.updated_at,
          updated_by: row.updated_by,
        }),
      )
      .execute();
  }

  async deleteConfig(host: string, tx: Executor): Promise<void> {
    await tx.deleteFrom('gpu_configs').where('host', '=', host).execute();
  }
}
