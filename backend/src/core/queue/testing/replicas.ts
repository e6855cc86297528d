import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { skyyConfigSchema, type SkyyConfig } from '@skyy/contracts';
import { Redis } from 'ioredis';
import type { TestServer } from '../../../../test/harness.ts';
import { createTestDatabase, type TestDatabase } from '../../../../test/test-databases.ts';
import { createLogger } from '../../logging/logger.ts';
import { SecretBox } from '../../secrets/secret-box.ts';
import { createServer, type ServerRole } from '../../../server.ts';
import type { QueueSettings } from '../job-types.ts';
import { testQueueSettings } from './queue-kit.ts';

/**
 * Several full servers (replicas) sharing one PostgreSQL schema and one Redis, as in the
 * scale-out deployment. Every cluster gets its own Redis prefix so parallel tests never see
 * each other's jobs or events; its keys are deleted at the end.
 */
export interface ReplicaCluster {
  database: TestDatabase;
  redisUrl: string;
  prefix: string;
  queueSettings: Partial<QueueSettings>;
  start(role?: ServerRole): Promise<TestServer & { url: string }>;
  close(): Promise<void>;
}

export async function openReplicaCluster(databaseUrl: string, redisUrl: string): Promise<ReplicaCluster> {
  const root = mkdtempSync(path.join(tmpdir(), 'skyy-replicas-'));
  const database = await createTestDatabase('postgres', root);
  const prefix = `skyy-test-${randomBytes(5).toString('hex')}`;
  const queueSettings: Partial<QueueSettings> = { ...testQueueSettings, redisPrefix: prefix };
  const started: TestServer[] = [];
  return {
    database,
    redisUrl,
    prefix,
    queueSettings,
    async start(role: ServerRole = 'all') {
      const dataDir = mkdtempSync(path.join(root, 'replica-'));
      const base = skyyConfigSchema.parse({});
      const config: SkyyConfig = {
        ...base,
        server: { ...base.server, data_dir: dataDir, port: 0, host: '127.0.0.1' },
        database: { url: databaseUrl },
        redis: { url: redisUrl },
      };
      const server = await createServer({
        config,
        role,
        database: { ...database.options, dataDir },
        secrets: SecretBox.forTests(),
        logger: createLogger({ level: 'silent' }),
        env: {},
        queue: queueSettings,
      });
      const url = await server.listen();
      const fastify = server.app.getHttpAdapter().getInstance();
      const replica: TestServer & { url: string } = {
        server,
        dataDir,
        url,
        async request({ method, url: target, headers = {}, body }) {
          const response = await fastify.inject({
            method,
            url: target,
            headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
            ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
          });
          return {
            status: response.statusCode,
            headers: response.headers,
            body: response.body,
            json: <T>() => JSON.parse(response.body) as T,
          };
        },
        close: () => server.close(),
      };
      started.push(replica);
      return replica;
    },
    async close() {
      for (const replica of started) await replica.close().catch(() => undefined);
      await database.drop();
      await deleteRedisKeys(redisUrl, `${prefix}:*`);
      rmSync(root, { recursive: true, force: true });
    },
  };
}

async function deleteRedisKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}
