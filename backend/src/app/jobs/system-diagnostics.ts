import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import { Redis } from 'ioredis';
import { Migrator, sql, type Migration, type MigrationProvider } from 'kysely';
import { z } from 'zod';
import type { Db } from '../../core/database/database.ts';
import { migrations } from '../../core/database/migrations/index.ts';
import type { JobContext } from '../../core/queue/index.ts';
import { CONFIG, DB } from '../../core/tokens.ts';

export const SYSTEM_DIAGNOSTICS = 'system.diagnostics';

export const diagnosticsPayloadSchema = z
  .strictObject({
    /** Free space below this share of the data dir's file system is a warning (below a fifth of it, a failure). */
    diskWarnPercent: z.number().min(0).max(100).default(10),
  })
  .prefault({});
export type DiagnosticsPayload = z.output<typeof diagnosticsPayloadSchema>;

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DiagnosticsReport {
  status: CheckStatus;
  checkedAt: string;
  checks: {
    database: { status: CheckStatus; dialect: string; latencyMs: number; error?: string };
    redis: { status: CheckStatus | 'not-configured'; latencyMs?: number; error?: string };
    disk: {
      status: CheckStatus;
      path: string;
      freeBytes?: number;
      totalBytes?: number;
      freePercent?: number;
      error?: string;
    };
    migrations: { status: CheckStatus; applied: number; pending: string[]; error?: string };
  };
}

/**
 * The built-in `system.diagnostics` job: is this installation healthy from the inside?
 * Database round trip, Redis PING when configured, free space where the data lives, and
 * migrations not yet applied. Probes only this installation's own dependencies, never
 * other hosts. Unhealthy checks are reported (and logged as warnings/errors), not thrown:
 * the job succeeds as long as it could produce its report.
 */
@Injectable()
export class SystemDiagnostics {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(CONFIG) private readonly config: SkyyConfig,
  ) {}

  async run(payload: DiagnosticsPayload, ctx: JobContext): Promise<DiagnosticsReport> {
    const database = await this.checkDatabase();
    await ctx.log(
      level(database.status),
      `database (${database.dialect}): ${describe(database, `${database.latencyMs} ms`)}`,
    );
    await ctx.progress(25);
    ctx.signal.throwIfAborted();

    const redis = await this.checkRedis();
    await ctx.log(
      redis.status === 'not-configured' ? 'info' : level(redis.status),
      redis.status === 'not-configured'
        ? 'redis: not configured (embedded mode)'
        : `redis: ${describe(redis, `PING ${redis.latencyMs} ms`)}`,
    );
    await ctx.progress(50);
    ctx.signal.throwIfAborted();

    const disk = await this.checkDisk(payload.diskWarnPercent);
    await ctx.log(
      level(disk.status),
      `disk (${disk.path}): ${describe(disk, `${formatBytes(disk.freeBytes ?? 0)} free of ${formatBytes(disk.totalBytes ?? 0)} (${disk.freePercent}%)`)}`,
    );
    await ctx.progress(75);
    ctx.signal.throwIfAborted();

    const pending = await this.checkMigrations();
    await ctx.log(
      level(pending.status),
      `migrations: ${describe(pending, pending.pending.length ? `${pending.pending.length} pending: ${pending.pending.join(', ')}` : `all ${pending.applied} applied`)}`,
    );
    await ctx.progress(100);

    const statuses = [database.status, redis.status, disk.status, pending.status];
    const status: CheckStatus = statuses.includes('fail')
      ? 'fail'
      : statuses.includes('warn')
        ? 'warn'
        : 'ok';
    await ctx.log(level(status), `overall: ${status}`);
    return {
      status,
      checkedAt: new Date().toISOString(),
      checks: { database, redis, disk, migrations: pending },
    };
  }

  private async checkDatabase(): Promise<DiagnosticsReport['checks']['database']> {
    const started = performance.now();
    try {
      await sql`select 1`.execute(this.db.kysely);
      return { status: 'ok', dialect: this.db.dialect, latencyMs: elapsed(started) };
    } catch (error) {
      return {
        status: 'fail',
        dialect: this.db.dialect,
        latencyMs: elapsed(started),
        error: messageOf(error),
      };
    }
  }

  private async checkRedis(): Promise<DiagnosticsReport['checks']['redis']> {
    const url = this.config.redis.url;
    if (!url) return { status: 'not-configured' };
    const redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      enableOfflineQueue: false,
      retryStrategy: () => null,
    });
    redis.on('error', () => undefined);
    const started = performance.now();
    try {
      await redis.connect();
      await redis.ping();
      return { status: 'ok', latencyMs: elapsed(started) };
    } catch (error) {
      return { status: 'fail', latencyMs: elapsed(started), error: messageOf(error) };
    } finally {
      redis.disconnect();
    }
  }

  private async checkDisk(warnPercent: number): Promise<DiagnosticsReport['checks']['disk']> {
    const dir = path.resolve(this.config.server.data_dir);
    try {
      const fs = await statfs(dir);
      const freeBytes = Number(fs.bavail) * Number(fs.bsize);
      const totalBytes = Number(fs.blocks) * Number(fs.bsize);
      const freePercent = totalBytes > 0 ? Math.round((freeBytes / totalBytes) * 1000) / 10 : 0;
      const status: CheckStatus =
        freePercent < warnPercent / 5 ? 'fail' : freePercent < warnPercent ? 'warn' : 'ok';
      return { status, path: dir, freeBytes, totalBytes, freePercent };
    } catch (error) {
      return { status: 'fail', path: dir, error: messageOf(error) };
    }
  }

  private async checkMigrations(): Promise<DiagnosticsReport['checks']['migrations']> {
    try {
      const migrator = new Migrator({
        db: this.db.kysely,
        provider: new KnownMigrations(),
        ...(this.db.pgSchema ? { migrationTableSchema: this.db.pgSchema } : {}),
      });
      const all = await migrator.getMigrations();
      const pending = all.filter((m) => m.executedAt === undefined).map((m) => m.name);
      return { status: pending.length ? 'warn' : 'ok', applied: all.length - pending.length, pending };
    } catch (error) {
      return { status: 'fail', applied: 0, pending: [], error: messageOf(error) };
    }
  }
}

class KnownMigrations implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations;
  }
}

function describe(check: { status: string; error?: string }, detail: string): string {
  return check.error ? `${check.status}: ${check.error}` : `${check.status}, ${detail}`;
}

function level(status: CheckStatus): 'info' | 'warn' | 'error' {
  return status === 'fail' ? 'error' : status === 'warn' ? 'warn' : 'info';
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
