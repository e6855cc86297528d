import 'reflect-metadata';
import fastifyCookie from '@fastify/cookie';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { SkyyConfig } from '@skyy/contracts';
import type { Logger } from 'pino';
import { AppModule } from './app.module.ts';
import { openDatabase, type Db, type DatabaseOptions } from './core/database/database.ts';
import { migrateToLatest } from './core/database/migrate.ts';
import type { EventBus } from './core/events/event-bus.ts';
import { LocalEventBus } from './core/events/event-bus.ts';
import { createLogger, requestIdFrom } from './core/logging/logger.ts';
import { registerHttpMetrics } from './core/metrics/http-metrics.ts';
import { SecretBox } from './core/secrets/secret-box.ts';

export type ServerRole = 'api' | 'worker' | 'all';

export interface ServerOptions {
  config: SkyyConfig;
  role?: ServerRole;
  logger?: Logger;
  /** Tests pass their own (temp SQLite file, isolated PostgreSQL schema). */
  database?: Partial<DatabaseOptions>;
  secrets?: SecretBox;
  events?: EventBus;
  env?: Record<string, string | undefined>;
}

export interface SkyyServer {
  app: NestFastifyApplication;
  db: Db;
  config: SkyyConfig;
  logger: Logger;
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Builds the whole server (migrations included) without listening, so tests can inject requests. */
export async function createServer(options: ServerOptions): Promise<SkyyServer> {
  const { config } = options;
  const env = options.env ?? process.env;
  const logger = options.logger ?? createLogger();
  const db = openDatabase({ url: config.database.url, dataDir: config.server.data_dir, ...options.database });
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.close();
    throw error;
  }
  const secrets = options.secrets ?? SecretBox.fromEnvironment(env.SKYY_SECRET_KEY, config.server.data_dir);
  const events = options.events ?? new LocalEventBus();

  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.server.body_limit_bytes,
    trustProxy: config.server.trust_proxy,
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.with({ config, db, logger, secrets, events }),
    adapter,
    { logger: ['error', 'warn'], abortOnError: false },
  );
  app.enableShutdownHooks();
  // Session and CSRF cookies of the auth module (app/auth/session-cookies.ts).
  await app.register(fastifyCookie);
  const fastify = app.getHttpAdapter().getInstance();
  registerHttpMetrics(fastify);
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  await app.init();

  return {
    app,
    db,
    config,
    logger,
    async listen() {
      await app.listen(config.server.port, config.server.host);
      return app.getUrl();
    },
    async close() {
      await app.close();
      await events.close();
      await db.close();
    },
  };
}
