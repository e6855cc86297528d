import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import {
  driftReportSchema,
  type FirewallStatus,
  type FirewallStatusQuery,
  type FirewallStatusSnapshot,
} from '@skyy/contracts';
import {
  checkDrift,
  collectFirewallStatus,
  entriesOf,
  generateConfig,
  loadNetworkingFile,
  PfSenseError,
  type DriftReport,
} from '@skyy/pfsense';
import { z } from 'zod';
import { EventBus } from '../../core/events/event-bus.ts';
import type { Caller } from '../../core/http/caller.ts';
import { ProblemError } from '../../core/errors/problems.ts';
import type { JobContext } from '../../core/queue/index.ts';
import { FirewallTargets } from './firewall-target.ts';
import { FirewallsRepository } from './firewalls.repository.ts';
import { FirewallsService } from './firewalls.service.ts';
import type { FirewallStatusTable } from './firewalls.table.ts';

export const FIREWALL_STATUS_JOB = 'firewall.status';
export const FIREWALL_STATUS_SCHEDULE = 'firewall.status';
/** How long status history is kept. */
export const STATUS_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

export const firewallStatusPayloadSchema = z.strictObject({
  /** One firewall, or every firewall when absent (the schedule). */
  firewallId: z.uuid().optional(),
});
export type FirewallStatusPayload = z.output<typeof firewallStatusPayloadSchema>;

/**
 * The monitor: every 5 minutes each firewall's status (version, uptime, CPU, memory, interfaces,
 * pending changes) and drift against its desired state are stored, for the console's status
 * panel. An unreachable firewall is a status too. History older than 7 days is pruned.
 */
@Injectable()
export class FirewallStatusService {
  constructor(
    @Inject(FirewallsRepository) private readonly repo: FirewallsRepository,
    @Inject(FirewallsService) private readonly firewalls: FirewallsService,
    @Inject(FirewallTargets) private readonly targets: FirewallTargets,
    @Inject(EventBus) private readonly events: EventBus,
  ) {}

  async get(_caller: Caller, id: string, query: FirewallStatusQuery): Promise<FirewallStatus> {
    await this.firewalls.row(id);
    const rows = await this.repo.recentStatus(id, Math.max(query.history, 1));
    const [latest] = rows;
    return {
      firewallId: id,
      latest: latest ? toSnapshot(latest) : null,
      history: rows.slice(0, query.history).map((r) => {
        const { status: _status, drift: _drift, ...rest } = toSnapshot(r);
        return rest;
      }),
    };
  }

  async runStatusJob(payload: FirewallStatusPayload, ctx: JobContext): Promise<{ collected: number }> {
    const rows = payload.firewallId ? [await this.firewalls.row(payload.firewallId)] : await this.repo.all();
    let collected = 0;
    for (const row of rows) {
      ctx.signal.throwIfAborted();
      const snapshot = await this.collect(row.id);
      await ctx.log(
        snapshot.reachable ? 'info' : 'warn',
        `${row.name}: ${snapshot.reachable ? 'reachable' : `unreachable (${snapshot.error ?? 'no answer'})`}, ${
          snapshot.drift
            ? snapshot.drift.inSync
              ? 'in sync'
              : 'drifted'
            : `drift unknown (${snapshot.driftError ?? ''})`
        }`,
      );
      collected += 1;
    }
    const pruned = await this.repo.pruneStatus(new Date(Date.now() - STATUS_RETENTION_MS).toISOString());
    if (pruned > 0) await ctx.log('info', `pruned ${pruned} status record(s) older than 7 days`);
    return { collected };
  }

  /** Collects one firewall's status and drift, stores it and tells the console. */
  async collect(id: string): Promise<FirewallStatusSnapshot> {
    const row = await this.firewalls.row(id);
    let status: Record<string, unknown> = { reachable: false };
    let reachable = false;
    let error: string | null = null;
    let drift: DriftReport | null = null;
    let driftError: string | null = null;
    try {
      const target = await this.targets.open(id);
      try {
        const collected = await collectFirewallStatus(target.client);
        status = { ...collected };
        reachable = collected.reachable;
        error = collected.error ?? null;
        if (reachable) {
          const file = loadNetworkingFile(target.source.text, target.source.file);
          drift = await checkDrift(target.client, generateConfig(target.site, entriesOf(file)));
        } else driftError = 'the firewall is unreachable';
      } finally {
        await target.client.close();
      }
    } catch (failure) {
      // No settings, no file, no key (a ProblemError), or the firewall failed mid-way.
      if (!(failure instanceof ProblemError || failure instanceof PfSenseError)) throw failure;
      if (reachable) driftError = failure.message;
      else {
        error ??= failure.message;
        driftError = failure.message;
      }
    }
    const record: FirewallStatusTable = {
      id: randomUUID(),
      firewall_id: row.id,
      collected_at: new Date().toISOString(),
      reachable: reachable ? 1 : 0,
      error,
      status: JSON.stringify(status),
      drift: drift ? JSON.stringify(drift) : null,
      drift_error: driftError,
    };
    await this.repo.insertStatus(record);
    await this.events.publish({
      type: 'firewall.status',
      customerId: null,
      data: {
        firewallId: row.id,
        collectedAt: record.collected_at,
        reachable,
        inSync: drift ? drift.inSync : null,
      },
    });
    return toSnapshot(record);
  }
}

function toSnapshot(row: FirewallStatusTable): FirewallStatusSnapshot {
  return {
    collectedAt: row.collected_at,
    reachable: row.reachable === 1,
    error: row.error,
    status: z.record(z.string(), z.unknown()).parse(JSON.parse(row.status)),
    drift: row.drift === null ? null : driftReportSchema.parse(JSON.parse(row.drift)),
    driftError: row.drift_error,
  };
}
