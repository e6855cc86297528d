import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type {
  GpuAgentGpuState,
  GpuAgentState,
  GpuAlert,
  GpuFleet,
  GpuFleetItem,
  GpuHistory,
  GpuHistoryQuery,
} from '@skyy/contracts';
import { Counter } from 'prom-client';
import { toFlag, type Db, type Executor } from '../../core/database/database.ts';
import { NotFound, Unauthorized, ValidationFailed } from '../../core/errors/problems.ts';
import { EventBus } from '../../core/events/event-bus.ts';
import type { AgentCaller } from '../../core/http/agent-authenticator.ts';
import type { Caller } from '../../core/http/caller.ts';
import { metricsRegistry } from '../../core/metrics/registry.ts';
import { DB } from '../../core/tokens.ts';
import { AuditService } from '../audit/audit.service.ts';
import { Clock } from '../auth/clock.ts';
import { assertOwnHost } from './gpu-agents.service.ts';
import { chassisAlertChange } from './gpu-chassis.ts';
import { GpuAgentsRepository } from './gpu-agents.repository.ts';
import {
  autoStepSeconds,
  BUCKET_MS,
  BUCKET_RETENTION_MS,
  bucketStart,
  downsample,
  RAW_RETENTION_MS,
  readingRow,
  series,
} from './gpu-history.ts';
import { HEARTBEAT_INTERVAL_MS, STALE_AFTER_MS, toAlert, toFleetItem } from './gpu-views.ts';
import type { GpuAlertsTable, GpuReadingsTable } from './gpus.table.ts';
import { GpusRepository } from './gpus.repository.ts';

const heartbeats = new Counter({
  name: 'skyy_gpu_heartbeats_total',
  help: 'GPU agent heartbeats received, by outcome (accepted, or rejected for a wrong host or body)',
  labelNames: ['outcome'],
  registers: [metricsRegistry],
});

/** Statuses of the agent that are alerts while they last. */
const ALERTING: Partial<Record<GpuAgentGpuState['status'], GpuAlert['level']>> = {
  failsafe: 'critical',
  warning: 'warn',
  shutdown: 'critical',
};

/** A reading stamped further ahead of the server's clock than this is stored at the server's time. */
const MAX_CLOCK_AHEAD_MS = 5 * 60_000;

export interface DownsampleResult {
  aggregated: number;
  buckets: number;
  expired: number;
}

/**
 * What the agents report: heartbeats become the latest state per GPU, a readings history
 * (raw 24 h, then 5-minute averages for 30 days) and alerts (fail-safe, warning, shutdown,
 * and agents silent for 3 heartbeats). Heartbeats are telemetry, not changes a person made,
 * so they are not written to the audit log; alerts and readings go out as live events.
 */
@Injectable()
export class GpuTelemetryService {
  constructor(
    @Inject(DB) private readonly db: Db,
    @Inject(GpusRepository) private readonly gpus: GpusRepository,
    @Inject(GpuAgentsRepository) private readonly agents: GpuAgentsRepository,
    @Inject(EventBus) private readonly events: EventBus,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(AuditService) private readonly audit: AuditService,
  ) {}

  /** When this process last looked for silent agents (see checkAgentsNowAndThen). */
  private lastCheckAt: number | null = null;

  async heartbeat(agent: AgentCaller, host: string, state: GpuAgentState): Promise<void> {
    try {
      assertOwnHost(agent, host);
      if (state.host !== host) {
        throw new ValidationFailed([{ path: 'body.host', message: `must be ${host}, the host in the URL` }]);
      }
    } catch (error) {
      heartbeats.inc({ outcome: 'rejected' });
      throw error;
    }
    const now = this.clock.now();
    const nowIso = now.toISOString();
    const changes = await this.db.kysely.transaction().execute(async (tx) => {
      if (!(await this.agents.findActive(agent.agentId, tx)))
        throw new Unauthorized('This agent token was revoked.');
      await this.agents.recordHeartbeat(
        agent.agentId,
        {
          last_seen_at: nowIso,
          last_ip: agent.ip,
          version: state.version,
          mode: state.mode,
          source: state.source,
          config_source: state.configSource,
          agent_stale: toFlag(state.stale),
          chassis: state.chassis ? JSON.stringify(state.chassis) : null,
          chassis_updated_at: state.chassis ? nowIso : null,
        },
        tx,
      );
      const readings: GpuReadingsTable[] = [];
      for (const gpu of state.gpus) {
        const sampledAt = gpu.reading ? readingTime(gpu.reading.sampledAt, now) : null;
        await this.gpus.upsertGpu(
          {
            uuid: gpu.uuid,
            host,
            gpu_index: gpu.index,
            name: gpu.name ?? gpu.reading?.name ?? null,
            status: gpu.status,
            reading: gpu.reading ? JSON.stringify(gpu.reading) : null,
            fan_decisions: JSON.stringify(gpu.fans),
            power_decision: gpu.power ? JSON.stringify(gpu.power) : null,
            notes: JSON.stringify(gpu.notes),
            sampled_at: sampledAt,
            last_seen_at: nowIso,
          },
          tx,
        );
        const row = gpu.reading && sampledAt ? readingRow(gpu.uuid, gpu.reading, sampledAt) : null;
        if (row) readings.push(row);
      }
      await this.gpus.insertReadings(readings, tx);
      return this.reconcileAlerts(host, state, nowIso, tx);
    });
    heartbeats.inc({ outcome: 'accepted' });
    for (const alert of changes)
      await this.events.publish({ type: 'gpu.alert', customerId: null, data: alert });
    const gpus = (await this.fleet(host)).items;
    await this.events.publish({ type: 'gpu.reading', customerId: null, data: { host, gpus } });
    await this.checkAgentsNowAndThen(now);
  }

  /**
   * In a fleet, the heartbeats of the others notice a silent agent within 30 s; the
   * gpus.check-agents schedule (every 5 minutes) covers a fleet of one.
   */
  private async checkAgentsNowAndThen(now: Date): Promise<void> {
    // abs: a clock stepped back must not silence the check until it catches up.
    if (this.lastCheckAt !== null && Math.abs(now.getTime() - this.lastCheckAt) < HEARTBEAT_INTERVAL_MS)
      return;
    this.lastCheckAt = now.getTime();
    await this.checkAgents(now);
  }

  /** Every GPU (or one host's) with its agent and active alerts. */
  async fleet(host?: string): Promise<GpuFleet> {
    // One snapshot: a heartbeat committing between the reads must not pair new GPU rows with the old agent row.
    const [agents, gpus, alertRows] = await this.db.kysely
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(
        async (tx) =>
          [
            await this.agents.listActive(tx),
            await this.gpus.listGpus(host, tx),
            await this.gpus.activeAlerts(host, tx),
          ] as const,
      );
    const now = this.clock.now();
    const byHost = new Map(agents.map((a) => [a.host, a]));
    const alerts = alertRows.map(toAlert);
    const items: GpuFleetItem[] = gpus.map((row) => toFleetItem(row, byHost.get(row.host), alerts, now));
    return { items, alerts };
  }

  async history(uuid: string, query: GpuHistoryQuery): Promise<GpuHistory> {
    const gpu = await this.gpus.findGpu(uuid);
    if (!gpu) throw new NotFound(`GPU ${uuid}`);
    const toMs = query.to ? Date.parse(query.to) : this.clock.now().getTime();
    const fromMs = query.from ? Date.parse(query.from) : toMs - RAW_RETENTION_MS;
    if (fromMs >= toMs) throw new ValidationFailed([{ path: 'query.from', message: 'must be before to' }]);
    const stepSeconds = query.step ?? autoStepSeconds(fromMs, toMs);
    const from = new Date(fromMs).toISOString();
    const to = new Date(toMs).toISOString();
    const rows = await this.gpus.readings(uuid, from, to);
    return { uuid, from, to, stepSeconds, points: series(rows, stepSeconds * 1000) };
  }

  /**
   * Forgets a GPU taken out of its host (its history and alerts too). A GPU still reported by
   * its agent comes back with the next heartbeat.
   */
  async deleteGpu(caller: Caller, uuid: string): Promise<void> {
    await this.db.kysely.transaction().execute(async (tx) => {
      const gpu = await this.gpus.findGpu(uuid, tx);
      if (!gpu) throw new NotFound(`GPU ${uuid}`);
      await this.gpus.deleteGpu(uuid, tx);
      await this.audit.record(
        caller,
        'gpu.delete',
        { type: 'gpu', id: uuid },
        { host: gpu.host, index: gpu.gpu_index, name: gpu.name },
        tx,
      );
    });
  }

  /**
   * Raw readings older than a day become 5-minute averages (added to any bucket already there);
   * averages older than 30 days are dropped. Safe to run at any time and on any replica.
   */
  async downsample(now: Date = this.clock.now()): Promise<DownsampleResult> {
    const cutoff = bucketStart(new Date(now.getTime() - RAW_RETENTION_MS).toISOString(), BUCKET_MS);
    const expiry = new Date(now.getTime() - BUCKET_RETENTION_MS).toISOString();
    return this.db.kysely.transaction().execute(async (tx) => {
      const raw = await this.gpus.rawBefore(cutoff, tx);
      const keys = raw.map((r) => ({ uuid: r.uuid, at: bucketStart(r.at, BUCKET_MS) }));
      const buckets = downsample(raw, await this.gpus.buckets(keys, tx));
      await this.gpus.upsertBuckets(buckets, tx);
      await this.gpus.deleteReadingsBefore('raw', cutoff, tx);
      const expired = await this.gpus.deleteReadingsBefore('5m', expiry, tx);
      return { aggregated: raw.length, buckets: buckets.length, expired };
    });
  }

  /** Raises an `agent_stale` alert for every agent silent for 3 heartbeats (once per silence). */
  async checkAgents(now: Date = this.clock.now()): Promise<GpuAlert[]> {
    const raised = await this.db.kysely.transaction().execute(async (tx) => {
      const silent = await this.agents.listSilentSince(
        new Date(now.getTime() - STALE_AFTER_MS).toISOString(),
        tx,
      );
      const out: GpuAlert[] = [];
      for (const agent of silent) {
        const active = await this.gpus.activeAlertsOfHost(agent.host, tx);
        if (active.some((a) => a.kind === 'agent_stale')) continue;
        const row: GpuAlertsTable = {
          id: randomUUID(),
          host: agent.host,
          gpu_uuid: null,
          kind: 'agent_stale',
          level: 'error',
          message: `The GPU agent on ${agent.host} has been silent since ${agent.last_seen_at} (3 heartbeats missed); its GPUs are not watched from here.`,
          raised_at: now.toISOString(),
          cleared_at: null,
        };
        await this.gpus.insertAlert(row, tx);
        out.push(toAlert(row));
      }
      return out;
    });
    for (const alert of raised)
      await this.events.publish({ type: 'gpu.alert', customerId: null, data: alert });
    return raised;
  }

  /** Active alerts of the host made to match its heartbeat; returns what was raised or cleared. */
  private async reconcileAlerts(
    host: string,
    state: GpuAgentState,
    nowIso: string,
    tx: Executor,
  ): Promise<GpuAlert[]> {
    const active = await this.gpus.activeAlertsOfHost(host, tx);
    const changes: GpuAlert[] = [];
    const reported = new Set(state.gpus.map((g) => g.uuid));
    for (const alert of active) {
      const gpu = state.gpus.find((g) => g.uuid === alert.gpu_uuid);
      const over =
        alert.kind === 'agent_stale' ||
        (alert.gpu_uuid !== null && reported.has(alert.gpu_uuid) && gpu?.status !== alert.kind);
      if (!over) continue;
      await this.gpus.clearAlert(alert.id, nowIso, tx);
      changes.push(toAlert({ ...alert, cleared_at: nowIso }));
    }
    for (const gpu of state.gpus) {
      const level = ALERTING[gpu.status];
      if (!level || active.some((a) => a.gpu_uuid === gpu.uuid && a.kind === gpu.status)) continue;
      const row: GpuAlertsTable = {
        id: randomUUID(),
        host,
        gpu_uuid: gpu.uuid,
        kind: gpu.status,
        level,
        message: alertMessage(host, gpu),
        raised_at: nowIso,
        cleared_at: null,
      };
      await this.gpus.insertAlert(row, tx);
      changes.push(toAlert(row));
    }
    const chassis = chassisAlertChange(host, state.chassis, active, nowIso);
    if (chassis.clear) {
      await this.gpus.clearAlert(chassis.clear.id, nowIso, tx);
      changes.push(toAlert({ ...chassis.clear, cleared_at: nowIso }));
    }
    if (chassis.raise) {
      await this.gpus.insertAlert(chassis.raise, tx);
      changes.push(toAlert(chassis.raise));
    }
    return changes;
  }
}

function alertMessage(host: string, gpu: GpuAgentGpuState): string {
  const which = `GPU ${gpu.index}${gpu.name ? ` (${gpu.name})` : ''} on ${host}`;
  const temp = gpu.reading?.temperatureC;
  const at = temp === undefined ? '' : ` at ${temp} °C`;
  if (gpu.status === 'failsafe') return `${which}: no valid reading; the agent forced its fans to 100 %.`;
  if (gpu.status === 'warning') return `${which}${at}: warning temperature reached; fans at maximum.`;
  return `${which}${at}: shutdown temperature reached; the protection action runs.`;
}

function readingTime(sampledAt: string, now: Date): string {
  const ms = Date.parse(sampledAt);
  return ms > now.getTime() + MAX_CLOCK_AHEAD_MS ? now.toISOString() : new Date(ms).toISOString();
}
