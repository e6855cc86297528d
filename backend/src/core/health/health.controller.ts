import { Controller, Get, Header, Inject, Res } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import type { FastifyReply } from 'fastify';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Db } from '../database/database.ts';
import { Public } from '../http/roles.ts';
import { metricsRegistry } from '../metrics/registry.ts';
import { CONFIG, DB } from '../tokens.ts';

interface CheckResult {
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Liveness, readiness (database and Redis reachable) and Prometheus metrics. */
@Controller()
export class HealthController {
  private redis: Redis | null = null;

  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: SkyyConfig,
  ) {}

  @Get('api/health')
  @Public()
  health() {
    return { status: 'ok' };
  }

  @Get('api/ready')
  @Public()
  async ready(@Res({ passthrough: true }) reply: FastifyReply) {
    const database = await timed(async () => {
      await sql`select 1`.execute(this.db.kysely);
    });
    const checks: Record<string, CheckResult> = { database };
    if (this.config.redis.url) {
      checks.redis = await timed(async () => {
        if (!this.redis) {
          this.redis = new Redis(this.config.redis.url as string, {
            lazyConnect: true,
            maxRetriesPerRequest: 1,
            connectTimeout: 2000,
            enableOfflineQueue: false,
          });
          // Connection errors surface as a failed ping in the readiness answer, not as log noise.
          this.redis.on('error', () => undefined);
        }
        if (this.redis.status === 'wait') await this.redis.connect();
        await this.redis.ping();
      });
    }
    const ok = Object.values(checks).every((c) => c.ok);
    void reply.status(ok ? 200 : 503);
    return {
      status: ok ? 'ready' : 'unavailable',
      mode: this.config.database.url ? 'scale-out' : 'embedded',
      checks,
    };
  }

  @Get('metrics')
  @Public()
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  metrics(): Promise<string> {
    return metricsRegistry.metrics();
  }

  async onModuleDestroy(): Promise<void> {
    this.redis?.disconnect();
  }
}

async function timed(check: () => Promise<void>): Promise<CheckResult> {
  const started = performance.now();
  try {
    await check();
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: error instanceof Error ? error.message : String(error),
    };
  }
}
