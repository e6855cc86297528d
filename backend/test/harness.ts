import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { skyyConfigSchema, type SkyyConfig } from '@skyy/contracts';
import type { Dialect } from '../src/core/database/database.ts';
import type { Logger } from 'pino';
import { createLogger } from '../src/core/logging/logger.ts';
import { SecretBox } from '../src/core/secrets/secret-box.ts';
import { createServer, type SkyyServer } from '../src/server.ts';
import { createTestDatabase } from './test-databases.ts';

export interface TestServer {
  server: SkyyServer;
  dataDir: string;
  /** In-process HTTP request (Fastify inject): no port, no network. */
  request(options: {
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
    url: string;
    headers?: Record<string, string>;
    body?: unknown;
  }): Promise<{ status: number; headers: Record<string, unknown>; body: string; json<T = unknown>(): T }>;
  close(): Promise<void>;
}

export type ConfigOverrides = { [K in keyof SkyyConfig]?: Partial<SkyyConfig[K]> };

/** A whole server on a fresh database of the given dialect, with its own data dir (mail outbox, key file). */
export async function startTestServer(
  dialect: Dialect,
  overrides: ConfigOverrides = {},
  options: {
    logger?: Logger;
    /** PostgreSQL connections (tests: 4; the benchmark wants more). */ poolSize?: number;
  } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'skyy-test-'));
  const database = await createTestDatabase(dialect, dataDir, options.poolSize);
  const base = skyyConfigSchema.parse({});
  const config: SkyyConfig = { ...base, server: { ...base.server, data_dir: dataDir } };
  for (const [key, value] of Object.entries(overrides)) {
    const section = config[key as keyof SkyyConfig];
    (config as Record<string, unknown>)[key] =
      Array.isArray(value) || typeof section !== 'object' ? value : { ...section, ...value };
  }
  config.database = { url: database.options.url };
  const server = await createServer({
    config,
    database: database.options,
    secrets: SecretBox.forTests(),
    logger: options.logger ?? createLogger({ level: 'silent' }),
    env: {},
  });
  const fastify = server.app.getHttpAdapter().getInstance();
  return {
    server,
    dataDir,
    async request({ method, url, headers = {}, body }) {
      const response = await fastify.inject({
        method,
        url,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
      });
      return {
        status: response.statusCode,
        headers: response.headers,
        body: response.body,
        json: <T>() => JSON.parse(response.body) as T,
      };
    },
    async close() {
      await server.close();
      await database.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
