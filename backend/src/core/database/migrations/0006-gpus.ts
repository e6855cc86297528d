import { sql, type Kysely } from 'kysely';

/**
 * GPU agents (one active token per host), central gpu_config.yaml per host and the fleet
 * default, the latest state of every GPU, readings history (raw, then 5-minute averages) and alerts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('gpu_agents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('token_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('last_seen_at', 'text')
    .addColumn('last_ip', 'text')
    .addColumn('version', 'text')
    .addColumn('mode', 'text')
    .addColumn('source', 'text')
    .addColumn('config_source', 'text')
    // The agent's own `stale` flag (no sample within 3 polls) from its latest heartbeat.
    .addColumn('agent_stale', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  // One active agent token per host.
  await db.schema
    .createIndex('gpu_agents_active_host')
    .on('gpu_agents')
    .column('host')
    .unique()
    .where(sql<boolean>`revoked_at is null`)
    .execute();

  // host '*' is the fleet default.
  await db.schema
    .createTable('gpu_configs')
    .addColumn('host', 'text', (c) => c.primaryKey())
    .addColumn('yaml', 'text', (c) => c.notNull())
    .addColumn('etag', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_by', 'text')
    .execute();

  await db.schema
    .createTable('gpus')
    .addColumn('uuid', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('gpu_index', 'integer', (c) => c.notNull())
    .addColumn('name', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    // JSON of the agent's reading (gpuReadingSchema), decisions and notes.
    .addColumn('reading', 'text')
    .addColumn('fan_decisions', 'text', (c) => c.notNull())
    .addColumn('power_decision', 'text')
    .addColumn('notes', 'text', (c) => c.notNull())
    .addColumn('sampled_at', 'text')
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('gpus_host').on('gpus').columns(['host', 'gpu_index']).execute();

  await db.schema
    .createTable('gpu_readings')
    .addColumn('uuid', 'text', (c) => c.notNull())
    // `raw` (one row per heartbeat, kept 24 h) or `5m` (averages, kept 30 days).
    .addColumn('resolution', 'text', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('samples', 'integer', (c) => c.notNull())
    .addColumn('temperature_c', 'double precision')
    .addColumn('fan_pct', 'double precision')
    .addColumn('power_draw_w', 'double precision')
    .addColumn('power_limit_w', 'double precision')
    .addColumn('utilization_pct', 'double precision')
    .addPrimaryKeyConstraint('gpu_readings_pk', ['uuid', 'resolution', 'at'])
    .execute();
  await db.schema.createIndex('gpu_readings_age').on('gpu_readings').columns(['resolution', 'at']).execute();

  await db.schema
    .createTable('gpu_alerts')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('host', 'text', (c) => c.notNull())
    .addColumn('gpu_uuid', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('level', 'text', (c) => c.notNull())
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('raised_at', 'text', (c) => c.notNull())
    .addColumn('cleared_at', 'text')
    .execute();
  await db.schema.createIndex('gpu_alerts_active').on('gpu_alerts').columns(['cleared_at', 'host']).execute();
}
