import type { Kysely } from 'kysely';

/** pfSense firewalls (one per site), their desired networking file, and collected status. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('firewalls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull().unique())
    .addColumn('site', 'text', (c) => c.notNull())
    .addColumn('api_url', 'text', (c) => c.notNull())
    .addColumn('api_key', 'text') // AES-256-GCM envelope or `env:NAME`, never plaintext
    .addColumn('tls_ca_file', 'text')
    .addColumn('tls_fingerprint', 'text')
    .addColumn('tls_insecure', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('settings', 'text') // JSON of the site settings (snake_case, as in config.yaml)
    .addColumn('networking_file', 'text')
    .addColumn('networking_name', 'text')
    .addColumn('networking_content', 'text') // the uploaded YAML, verbatim
    .addColumn('networking_updated_at', 'text')
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('firewalls_created').on('firewalls').columns(['created_at', 'id']).execute();

  await db.schema
    .createTable('firewall_status')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('firewall_id', 'text', (c) => c.notNull().references('firewalls.id').onDelete('cascade'))
    .addColumn('collected_at', 'text', (c) => c.notNull())
    .addColumn('reachable', 'integer', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('drift', 'text')
    .addColumn('drift_error', 'text')
    .execute();
  await db.schema
    .createIndex('firewall_status_recent')
    .on('firewall_status')
    .columns(['firewall_id', 'collected_at'])
    .execute();
}
