import type { Kysely } from 'kysely';

/**
 * The chassis fans of each GPU agent's host, from its latest heartbeat: the agent's chassis
 * state as JSON (null when the heartbeat had none) and when it arrived.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  // One column per ALTER: SQLite adds a single column per statement.
  await db.schema.alterTable('gpu_agents').addColumn('chassis', 'text').execute();
  await db.schema.alterTable('gpu_agents').addColumn('chassis_updated_at', 'text').execute();
}
