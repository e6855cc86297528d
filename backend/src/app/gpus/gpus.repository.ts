import { Inject, Injectable } from '@nestjs/common';
import type { Db, Executor } from '../../core/database/database.ts';
import { DB } from '../../core/tokens.ts';
import type { GpuAlertsTable, GpuReadingsTable, GpusTable } from './gpus.table.ts';

/** Latest GPU state, readings history and alerts. */
@Injectable()
export class GpusRepository {
  constructor(@Inject(DB) private readonly db: Db) {}

  async upsertGpu(row: GpusTable, tx: Executor): Promise<void> {
    const { uuid: _uuid, ...rest } = row;
    await tx
      .insertInto('gpus')
      .values(row)
      .onConflict((oc) => oc.column('uuid').doUpdateSet(rest))
      .execute();
  }

  /** Every GPU, or those of one host, by host and index. */
  listGpus(host: string | undefined, tx: Executor = this.db.kysely): Promise<GpusTable[]> {
    let query = tx.selectFrom('gpus').selectAll();
    if (host !== undefined) query = query.where('host', '=', host);
    return query.orderBy('host').orderBy('gpu_index').orderBy('uuid').execute();
  }

  findGpu(uuid: string, tx: Executor = this.db.kysely): Promise<GpusTable | undefined> {
    return tx.selectFrom('gpus').selectAll().where('uuid', '=', uuid).executeTakeFirst();
  }

  /** The GPU, its readings and its alerts. */
  async deleteGpu(uuid: string, tx: Executor): Promise<void> {
    await tx.deleteFrom('gpu_readings').where('uuid', '=', uuid).execute();
    await tx.deleteFrom('gpu_alerts').where('gpu_uuid', '=', uuid).execute();
    await tx.deleteFrom('gpus').where('uuid', '=', uuid).execute();
  }

  // ---- readings

  /** A reading already stored for the same GPU and time (a repeated heartbeat) is kept as is. */
  async insertReadings(rows: GpuReadingsTable[], tx: Executor = this.db.kysely): Promise<void> {
    if (rows.length === 0) return;
    await tx
      .insertInto('gpu_readings')
      .values(rows)
      .onConflict((oc) => oc.columns(['uuid', 'resolution', 'at']).doNothing())
      .execute();
  }

  /** Readings of one GPU in [from, to), both resolutions, oldest first. */
  readings(uuid: string, from: string, to: string): Promise<GpuReadingsTable[]> {
    return this.db.kysely
      .selectFrom('gpu_readings')
      .selectAll()
      .where('uuid', '=', uuid)
      .where('at', '>=', from)
      .where('at', '<', to)
      .orderBy('at')
      .orderBy('resolution')
      .execute();
  }

  rawBefore(before: string, tx: Executor): Promise<GpuReadingsTable[]> {
    return tx
      .selectFrom('gpu_readings')
      .selectAll()
      .where('resolution', '=', 'raw')
      .where('at', '<', before)
      .orderBy('uuid')
      .orderBy('at')
      .execute();
  }

  /** Existing 5-minute rows that a downsampling run is about to add to. */
  async buckets(keys: { uuid: string; at: string }[], tx: Executor): Promise<GpuReadingsTable[]> {
    if (keys.length === 0) return [];
    const ats = [...new Set(keys.map((k) => k.at))];
    const uuids = [...new Set(keys.map((k) => k.uuid))];
    return tx
      .selectFrom('gpu_readings')
      .selectAll()
      .where('resolution', '=', '5m')
      .where('uuid', 'in', uuids)
      .where('at', 'in', ats)
      .execute();
  }

  async upsertBuckets(rows: GpuReadingsTable[], tx: Executor): Promise<void> {
    for (const row of rows) {
      await tx
        .insertInto('gpu_readings')
        .values(row)
        .onConflict((oc) =>
          oc.columns(['uuid', 'resolution', 'at']).doUpdateSet({
            samples: row.samples,
            temperature_c: row.temperature_c,
            fan_pct: row.fan_pct,
            power_draw_w: row.power_draw_w,
            power_limit_w: row.power_limit_w,
            utilization_pct: row.utilization_pct,
          }),
        )
        .execute();
    }
  }

  async deleteReadingsBefore(resolution: 'raw' | '5m', before: string, tx: Executor): Promise<number> {
    const result = await tx
      .deleteFrom('gpu_readings')
      .where('resolution', '=', resolution)
      .where('at', '<', before)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  // ---- alerts

  /** Active alerts, oldest first; of one host when given. */
  activeAlerts(host: string | undefined, tx: Executor = this.db.kysely): Promise<GpuAlertsTable[]> {
    let query = tx.selectFrom('gpu_alerts').selectAll().where('cleared_at', 'is', null);
    if (host !== undefined) query = query.where('host', '=', host);
    return query.orderBy('raised_at').orderBy('id').execute();
  }

  activeAlertsOfHost(host: string, tx: Executor): Promise<GpuAlertsTable[]> {
    return tx
      .selectFrom('gpu_alerts')
      .selectAll()
      .where('cleared_at', 'is', null)
      .where('host', '=', host)
      .execute();
  }

  async insertAlert(row: GpuAlertsTable, tx: Executor): Promise<void> {
    await tx.insertInto('gpu_alerts').values(row).execute();
  }

  async clearAlert(id: string, at: string, tx: Executor): Promise<void> {
    await tx.updateTable('gpu_alerts').set({ cleared_at: at }).where('id', '=', id).execute();
  }
}
