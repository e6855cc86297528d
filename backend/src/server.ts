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
import { RedisEventBus } from './core/events/redis-event-bus.ts';
import { createLogger, requestIdFrom } from './core/logging/logger.ts';
import { registerHttpMetrics } from './core/metrics/http-metrics.ts';
import { configureQueue, startBackgroundWork, type QueueSettings } from './core/queue/index.ts';
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
  /** Job queue tuning (tests: short leases, a unique Redis prefix). */
  queue?: Partial<QueueSettings>;
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
  const events = options.events ?? (await createEventBus(config, logger, options.queue?.redisPrefix));

  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    bodyLimit: config.server.body_limit_bytes,
    trustProxy: config.server.trust_proxy,
    genReqId: (req: IncomingMessage) => requestIdFrom(req.headers['x-request-id']),
  });
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.with({ config, db, logger, secrets, events }),
    adapter,
    {
      logger: ['error', 'warn'],
      abortOnError: false,
      // Only Fastify's own JSON parser: no form bodies, which browsers can send cross-site without a preflight.
      bodyParser: false,
    },
  );
  app.enableShutdownHooks();
  // Session and CSRF cookies of the auth module (app/auth/session-cookies.ts).
  await app.register(fastifyCookie);
  configureQueue(app, options.queue);
  const fastify = app.getHttpAdapter().getInstance();
  registerHttpMetrics(fastify);
  fastify.addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  await app.init();
  // Job workers and the scheduler run on worker replicas (and in the single embedded process).
  if ((options.role ?? 'all') !== 'api') await startBackgroundWork(app);

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

/** Redis pub/sub when Redis is configured (live events reach every replica), in-process otherwise. */
async function createEventBus(config: SkyyConfig, logger: Logger, prefix = 'skyy'): Promise<EventBus> {
  if (!config.redis.url) return new LocalEventBus();
  const bus = new RedisEventBus(config.redis.url, { channel: `${prefix}:events`, logger });
  // Start serving even when Redis is down (readiness reports it); the bus keeps reconnecting.
  await bus
    .ready()
    .catch((error: unknown) => logger.warn({ err: error }, 'live events: Redis not reachable yet'));
  return bus;
}
