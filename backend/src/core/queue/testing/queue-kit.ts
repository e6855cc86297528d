import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { createTestDatabase } from '../../../../test/test-databases.ts';
import { AuditRepository } from '../../../app/audit/audit.repository.ts';
import { AuditService } from '../../../app/audit/audit.service.ts';
import { openDatabase, type Db, type Dialect } from '../../database/database.ts';
import { migrateToLatest } from '../../database/migrate.ts';
import { LocalEventBus, type LiveEvent } from '../../events/event-bus.ts';
import { createLogger } from '../../logging/logger.ts';
import { InProcessJobQueue } from '../in-process-queue.ts';
import { defaultQueueSettings, type QueueSettings } from '../job-types.ts';

/** Fast settings for tests: short leases and polls so recoveries happen within a test. */
export const testQueueSettings: QueueSettings = {
  ...defaultQueueSettings,
  concurrency: 2,
  leaseMs: 1_000,
  pollMs: 50,
  shutdownGraceMs: 200,
  lockDurationMs: 1_500,
  stalledIntervalMs: 500,
};

export interface QueueKit {
  db: Db;
  dataDir: string;
  /** Connection options of the same database, for a second process or a second replica. */
  databaseOptions: { url?: string; dataDir: string; pgSchema?: string; sqliteFile?: string };
  events: LocalEventBus;
  published: LiveEvent[];
  audit: AuditService;
  logger: Logger;
  newQueue(settings?: Partial<QueueSettings>): InProcessJobQueue;
  close(): Promise<void>;
}

/** A migrated database of the given dialect and in-process queues on it, torn down by close(). */
export async function openQueueKit(dialect: Dialect): Promise<QueueKit> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'skyy-jobs-'));
  const database = await createTestDatabase(dialect, dataDir);
  const databaseOptions = { ...database.options, dataDir };
  const db = openDatabase(databaseOptions);
  await migrateToLatest(db);
  const events = new LocalEventBus();
  const published: LiveEvent[] = [];
  events.subscribe((e) => published.push(e));
  const audit = new AuditService(new AuditRepository(db));
  const logger = createLogger({ level: 'silent' });
  const queues: InProcessJobQueue[] = [];
  return {
    db,
    dataDir,
    databaseOptions,
    events,
    published,
    audit,
    logger,
    newQueue(settings = {}) {
      const queue = new InProcessJobQueue({
        db,
        events,
        logger,
        audit,
        settings: { ...testQueueSettings, ...settings },
      });
      queues.push(queue);
      return queue;
    },
    async close() {
      for (const queue of queues) await queue.stop();
      await events.close();
      await db.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** A promise with its resolve function, for handlers that wait for the test. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}
