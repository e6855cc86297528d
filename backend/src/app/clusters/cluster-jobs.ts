import { Inject, Injectable } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import {
  applyPlan,
  renderPlan,
  renderPlanSummary,
  type ApplyResult,
  type DesiredHostVms,
  type ProxmoxClient,
  type VmPlan,
} from '@skyy/proxmox';
import { z } from 'zod';
import { JobQueue, Schedules, type JobContext, type StepRunner } from '../../core/queue/index.ts';
import { CONFIG } from '../../core/tokens.ts';
import { ClusterInventoryRepository } from './cluster-inventory.repository.ts';
import { CLUSTER_SYNC_JOB, ClusterSyncService, syncJobOptions } from './cluster-sync.service.ts';
import { ProxmoxConnections } from './proxmox-connection.ts';
import {
  applyPayloadSchema,
  CLUSTER_APPLY_JOB,
  describePlan,
  desiredFromFiles,
  destroyedVms,
  planCluster,
  type ApplyPayload,
} from './vm-plans.service.ts';

export const CLUSTER_SYNC_ALL_JOB = 'cluster.sync-all';
export const DEFAULT_SYNC_INTERVAL = '*/5 * * * *';

/**
 * The cluster module's jobs and schedules: `cluster.sync` (one cluster), `cluster.sync-all`
 * (every Proxmox cluster on one sync interval; one schedule per distinct `sync_interval` of
 * config.yaml, clusters added in the console use the default) and `cluster.apply`.
 */
@Injectable()
export class ClusterJobs {
  constructor(
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(Schedules) private readonly schedules: Schedules,
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(ClusterSyncService) private readonly sync: ClusterSyncService,
    @Inject(ClusterInventoryRepository) private readonly inventory: ClusterInventoryRepository,
    @Inject(ProxmoxConnections) private readonly connections: ProxmoxConnections,
  ) {}

  register(): void {
    this.jobs.register(
      CLUSTER_SYNC_JOB,
      async ({ clusterId }, ctx) => {
        await ctx.log('info', `reading cluster ${clusterId}`);
        const result = await this.sync.sync(clusterId, { jobId: ctx.jobId, signal: ctx.signal });
        await ctx.log(
          'info',
          `${result.nodes} nodes, ${result.guests} guests, ${result.storages} storages, ${result.gpus} GPUs; ` +
            `${result.added} added, ${result.changed} changed, ${result.removed} removed` +
            (result.hostsMatched.length ? `; hosts matched: ${result.hostsMatched.join(', ')}` : ''),
        );
        return result;
      },
      {
        payloadSchema: z.object({ clusterId: z.uuid() }),
        description: 'Read a Proxmox cluster into the inventory (nodes, guests, storages, GPUs, health)',
        maxAttempts: 1,
      },
    );

    this.jobs.register(
      CLUSTER_SYNC_ALL_JOB,
      async ({ interval }, ctx) => {
        const clusters = await this.inventory.proxmoxClusters();
        const due = clusters.filter((c) => this.intervalOf(c.name) === interval);
        for (const c of due) {
          const job = await this.jobs.enqueue(
            'system',
            CLUSTER_SYNC_JOB,
            { clusterId: c.id },
            syncJobOptions(c.id),
          );
          await ctx.log('info', `${c.name}: sync job ${job.id}`);
        }
        return { clusters: due.map((c) => c.name) };
      },
      {
        payloadSchema: z.object({ interval: z.string() }),
        description: 'Start a sync of every Proxmox cluster on this sync interval',
        maxAttempts: 1,
      },
    );

    this.jobs.register(CLUSTER_APPLY_JOB, (payload, ctx) => this.apply(payload, ctx), {
      payloadSchema: applyPayloadSchema,
      description: 'Apply the declared VMs of host files to a Proxmox cluster',
    });

    const intervals = new Set([DEFAULT_SYNC_INTERVAL, ...this.config.clusters.map((c) => c.sync_interval)]);
    for (const interval of intervals) {
      this.schedules.define({
        name: interval === DEFAULT_SYNC_INTERVAL ? 'cluster.sync' : `cluster.sync ${interval}`,
        cron: interval,
        jobType: CLUSTER_SYNC_ALL_JOB,
        payload: { interval },
        description: 'Sync Proxmox clusters (nodes, guests, storages, GPUs, quorum, Ceph)',
      });
    }
  }

  /** config.yaml's `sync_interval` for clusters declared there, the default for the others. */
  private intervalOf(name: string): string {
    return this.config.clusters.find((c) => c.name === name)?.sync_interval ?? DEFAULT_SYNC_INTERVAL;
  }

  /**
   * Plans once (stored as the step `plan`, so a resumed job applies the plan it started with),
   * applies with the job's persisted steps, then plans again: anything left to change fails the job.
   */
  private async apply(payload: ApplyPayload, ctx: JobContext) {
    const desired = desiredFromFiles(payload.files);
    let logs: Promise<void> = Promise.resolve();
    const log = (line: string) => {
      logs = logs.then(() => ctx.log('info', line)).catch(() => undefined);
    };
    return this.connections.with(payload.clusterId, async (pve) => {
      const plan = await ctx.step('plan', () => planCluster(pve, desired, payload.allowDelete));
      for (const line of renderPlan(plan).split('\n')) log(line);
      if (plan.errors.length > 0)
        throw new Error(`the plan has ${plan.errors.length} error(s); nothing was applied`);
      if (destroyedVms(plan).length > 0 && !payload.confirmDeletes)
        throw new Error(
          `the plan destroys ${destroyedVms(plan).join(', ')} and deletions were not confirmed`,
        );
      await ctx.progress(5);

      // Progress from 5 to 90 % as steps finish (recorded ones count too, so a resumed job starts where it was).
      const total = Math.max(1, countSteps(plan, payload.restartWhenNeeded));
      let finished = 0;
      let reported: Promise<void> = Promise.resolve();
      const runStep: StepRunner = async (name, fn) => {
        // A step that got past the cancel check just before the cancel must not start its work.
        const value = await ctx.step(name, () => {
          ctx.signal.throwIfAborted();
          return fn();
        });
        const percent = 5 + (85 * Math.min(++finished, total)) / total;
        // In order, one at a time: parallel VMs must not report an older value last.
        reported = reported.then(() => ctx.progress(percent)).catch(() => undefined);
        await reported;
        return value;
      };
      const result = await applyPlan(pve, plan, {
        runStep,
        restartWhenNeeded: payload.restartWhenNeeded,
        log,
        signal: ctx.signal,
      });
      await logs;
      if (result.cancelled) return this.afterCancel(payload, ctx, pve, desired, result);
      await ctx.progress(90);
      const failed = result.vms.filter((vm) => vm.status === 'failed');
      for (const vm of failed)
        for (const step of vm.steps.filter((s) => s.status !== 'done'))
          await ctx.log('error', `${step.step}: ${step.status}${step.detail ? `: ${step.detail}` : ''}`);

      const replan: VmPlan = await planCluster(pve, desired, payload.allowDelete);
      const after = describePlan(payload.clusterId, replan);
      await ctx.log('info', `re-plan: ${renderPlanSummary(replan)}`);
      await this.requestSync(payload.clusterId);
      if (failed.length > 0)
        throw new Error(
          `${failed.length} VM(s) failed: ${failed.map((vm) => vm.name).join(', ')}; see the log`,
        );
      if (after.hasChanges || replan.errors.length > 0)
        throw new Error(`the cluster does not match the files after the apply:\n${after.rendered}`);
      return {
        vms: result.vms.map((vm) => ({ name: vm.name, node: vm.node, action: vm.action, status: vm.status })),
        replan: replan.summary,
      };
    });
  }

  /**
   * After a cancel: says per VM which steps were done and which were skipped, plans again so the
   * log shows the work that is left, and ends the job as cancelled (a retry resumes it).
   */
  private async afterCancel(
    payload: ApplyPayload,
    ctx: JobContext,
    pve: ProxmoxClient,
    desired: DesiredHostVms[],
    result: ApplyResult,
  ): Promise<never> {
    await ctx.log('warn', 'cancelled: no step was started after the cancel; steps done and skipped:');
    for (const vm of result.vms) {
      const done = vm.steps.filter((s) => s.status === 'done').map((s) => shortStep(s.step));
      const skipped = vm.steps.filter((s) => s.status === 'skipped').map((s) => shortStep(s.step));
      const failed = vm.steps.filter((s) => s.status === 'failed');
      await ctx.log(
        failed.length ? 'error' : 'info',
        `vm/${vm.name} (${vm.action}): done: ${done.join(', ') || 'nothing'}; skipped: ${skipped.join(', ') || 'nothing'}` +
          failed.map((s) => `; failed: ${shortStep(s.step)}: ${s.detail ?? ''}`).join(''),
      );
    }
    const replan = await planCluster(pve, desired, payload.allowDelete).catch(() => undefined);
    if (replan)
      await ctx.log(
        'info',
        `left to do: ${renderPlanSummary(replan)} (plan again to see it, or retry this job to finish it)`,
      );
    await this.requestSync(payload.clusterId);
    throw ctx.signal.reason instanceof Error ? ctx.signal.reason : new Error('the apply was cancelled');
  }

  /** The inventory shows what an apply did without waiting for the schedule; best effort. */
  private async requestSync(clusterId: string): Promise<void> {
    await this.jobs
      .enqueue('system', CLUSTER_SYNC_JOB, { clusterId }, syncJobOptions(clusterId))
      .catch(() => undefined);
  }
}

/** `vm/web-1/create` → `create`, for the cancel summary. */
const shortStep = (step: string) => step.split('/').slice(2).join('/');

/** The steps applyPlan runs for a plan (see its README): for progress only. */
function countSteps(plan: VmPlan, restartWhenNeeded: boolean): number {
  let steps = 0;
  for (const action of plan.actions) {
    if (action.action === 'create') steps += 5;
    else if (action.action === 'replace') steps += 7;
    else if (action.action === 'delete') steps += 2;
    else if (action.action === 'update')
      steps += 3 + (action.migrateFrom ? 1 : 0) + (restartWhenNeeded ? 1 : 0);
  }
  return steps;
}
