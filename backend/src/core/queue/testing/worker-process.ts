/**
 * A job worker in its own process, for crash tests: `node --import tsx worker-process.ts` with
 * SKYY_TEST_WORKER set to JSON (database options, optional Redis URL, queue settings). It runs
 * a full server with the worker role, registers the three-step job whose last step never
 * ends, prints "ready", and waits to be killed.
 */
import { skyyConfigSchema } from '@skyy/contracts';
import type { DatabaseOptions } from '../../database/database.ts';
import { createLogger } from '../../logging/logger.ts';
import { SecretBox } from '../../secrets/secret-box.ts';
import { createServer } from '../../../server.ts';
import { JobQueue } from '../job-queue.ts';
import type { QueueSettings } from '../job-types.ts';
import { registerThreeSteps } from './three-step-job.ts';

interface WorkerSpec {
  database: Partial<DatabaseOptions> & { dataDir: string };
  redisUrl?: string;
  queue: Partial<QueueSettings>;
}

const spec = JSON.parse(process.env.SKYY_TEST_WORKER ?? '{}') as WorkerSpec;
const base = skyyConfigSchema.parse({});
const config = {
  ...base,
  server: { ...base.server, data_dir: spec.database.dataDir },
  database: { url: spec.database.url },
  redis: { url: spec.redisUrl },
};
const server = await createServer({
  config,
  role: 'api',
  database: spec.database,
  secrets: SecretBox.forTests(),
  logger: createLogger({ level: 'silent' }),
  env: {},
  queue: spec.queue,
});
const queue = server.app.get(JobQueue);
registerThreeSteps(queue, { fetch: 0, reserve: 0, apply: 0 }, () => new Promise<string>(() => undefined));
await queue.start();
process.stdout.write('ready\n');
