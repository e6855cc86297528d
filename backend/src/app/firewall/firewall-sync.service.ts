import { Inject, Injectable } from '@nestjs/common';
import type { FirewallApply, FirewallPlan, FirewallPreview, Job } from '@skyy/contracts';
import {
  formatFinding,
  hasErrors,
  PfSenseError,
  planSite,
  sideBySide,
  SyncBlockedError,
  syncSite,
  type Plan,
  type StepRunner,
  type SyncLogEntry,
} from '@skyy/pfsense';
import { z } from 'zod';
import { UnprocessableContent } from '../../core/errors/problems.ts';
import type { Caller } from '../../core/http/caller.ts';
import { JobQueue, type JobContext } from '../../core/queue/index.ts';
import { FirewallStatusService } from './firewall-status.service.ts';
import { FirewallTargets, FirewallUnreachable, type FirewallTarget } from './firewall-target.ts';

export const FIREWALL_SYNC_JOB = 'firewall.sync';

export const firewallSyncPayloadSchema = z.strictObject({
  firewallId: z.uuid(),
  confirmDeletes: z.boolean().default(false),
});
export type FirewallSyncPayload = z.output<typeof firewallSyncPayloadSchema>;

export interface FirewallSyncResult {
  site: string;
  converged: boolean;
  rounds: number;
  /** Changes the first plan asked for, per kind: `{ vip: { create: 508, … }, … }`. */
  planned: Plan['counts'];
  writes: number;
  failed: number;
  applied: string[];
  warnings: number;
}

/**
 * Plan and apply for a firewall: the plan (validation against the firewall, create / update /
 * delete per object type, unmanaged objects apart, side-by-side rows), a dry_run preview, and
 * the `firewall.sync` job that applies through the job system's persisted steps.
 */
@Injectable()
export class FirewallSyncService {
  constructor(
    @Inject(FirewallTargets) private readonly targets: FirewallTargets,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(FirewallStatusService) private readonly status: FirewallStatusService,
  ) {}

  async plan(_caller: Caller, id: string): Promise<FirewallPlan> {
    return this.withTarget(id, async ({ row, client, site, source }) => {
      const { findings, desired, actual, plan } = await planSite(client, site, source);
      return {
        firewallId: row.id,
        site: site.name,
        blocked: hasErrors(findings),
        findings,
        plan: {
          changes: plan.changes,
          unmanaged: plan.unmanaged,
          conflicts: plan.conflicts,
          counts: plan.counts,
        },
        rows: sideBySide(desired, actual),
      };
    });
  }

  /** Every planned write checked by the firewall with dry_run; nothing is written. */
  async preview(_caller: Caller, id: string): Promise<FirewallPreview> {
    return this.withTarget(id, async ({ client, site, source }) => {
      try {
        const { findings, preview } = await syncSite(client, site, source, { dryRun: true });
        return {
          findings,
          supported: preview?.supported ?? false,
          changes: preview?.plan.changes.length ?? 0,
          checks: preview?.checks ?? [],
        };
      } catch (error) {
        if (!(error instanceof SyncBlockedError)) throw error;
        return { findings: error.findings, supported: false, changes: 0, checks: [] };
      }
    });
  }

  /**
   * Starts the sync job, one at a time per firewall (a second request while one is queued or
   * running gets that job). A plan that deletes managed objects needs `confirmDeletes`.
   */
  async startApply(caller: Caller, id: string, body: FirewallApply): Promise<Job> {
    if (!body.confirmDeletes) {
      const deletes = await this.withTarget(id, async ({ client, site, source }) => {
        const { plan } = await planSite(client, site, source);
        return countDeletes(plan);
      });
      if (deletes > 0) {
        throw new UnprocessableContent(
          `The plan deletes ${deletes} managed object(s). Review the plan, then apply with confirmDeletes: true.`,
          [{ path: 'body.confirmDeletes', message: 'must be true when the plan deletes objects' }],
        );
      }
    } else {
      await this.targets.open(id).then((target) => target.client.close());
    }
    const payload: FirewallSyncPayload = { firewallId: id, confirmDeletes: body.confirmDeletes };
    return this.jobs.enqueue(caller, FIREWALL_SYNC_JOB, payload, {
      customerId: null,
      dedupeKey: `${FIREWALL_SYNC_JOB}:${id}`,
    });
  }

  /**
   * The `firewall.sync` job. Every step of the sync (validate, each round's plan, each write,
   * each apply call) goes through `ctx.step`, so a job taken over after a crash resumes at the
   * first unfinished step. Validation errors fail the job with the findings in its log.
   */
  async runSyncJob(payload: FirewallSyncPayload, ctx: JobContext): Promise<FirewallSyncResult> {
    const target = await this.targets.open(payload.firewallId);
    const { row, client, site, source } = target;
    let logChain: Promise<void> = Promise.resolve();
    const log = (entry: SyncLogEntry) => {
      logChain = logChain.then(() => ctx.log(entry.level, entry.message));
    };
    let total = 0;
    let done = 0;
    const runner: StepRunner = async (name, fn) => {
      // Cancellation and shutdown take effect between steps: each step is safe to repeat.
      ctx.signal.throwIfAborted();
      const result = await ctx.step(name, fn);
      if (/^round-\d+:plan$/.test(name)) {
        total = done + changesIn(result);
      } else if (name.startsWith('round-')) {
        done += 1;
        if (done % 25 === 0 || done === total) await ctx.progress(total ? (95 * done) / total : 0);
      }
      return result;
    };
    try {
      await ctx.log('info', `syncing firewall ${row.name} (site ${site.name}) from ${source.file}`);
      if (!payload.confirmDeletes) {
        const deletes = await runner('check-deletes', async () => {
          const { plan } = await planSite(client, site, source);
          return countDeletes(plan);
        });
        if (deletes > 0) {
          throw new Error(
            `the plan now deletes ${deletes} managed object(s); nothing was written — apply again with confirmDeletes`,
          );
        }
      }
      const { findings, report } = await syncSite(client, site, source, { runner, log });
      await logChain;
      for (const finding of findings) await ctx.log('warn', formatFinding(finding));
      if (!report) throw new Error('the sync returned no report');
      const failed = report.steps.filter((s) => s.result.outcome === 'failed').length;
      await ctx.log(
        report.converged ? 'info' : 'error',
        report.converged
          ? `converged in ${report.rounds} round(s): ${report.steps.length} write(s), applied ${report.applied.join(', ') || 'nothing'}`
          : `not converged after ${report.rounds} round(s); ${failed} write(s) failed`,
      );
      const result: FirewallSyncResult = {
        site: site.name,
        converged: report.converged,
        rounds: report.rounds,
        planned: report.firstPlan.counts,
        writes: report.steps.length,
        failed,
        applied: report.applied,
        warnings: findings.length,
      };
      if (!report.converged)
        throw new Error(`firewall ${row.name} did not converge: ${failed} write(s) failed`);
      // The console's status panel shows the result at once instead of at the next 5-minute tick.
      await this.status.collect(row.id).catch(async (error: unknown) => {
        await ctx.log(
          'warn',
          `status not refreshed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      return result;
    } catch (error) {
      await logChain;
      if (error instanceof SyncBlockedError) {
        for (const finding of error.findings) {
          await ctx.log(finding.severity === 'error' ? 'error' : 'warn', formatFinding(finding));
        }
      }
      throw error;
    } finally {
      await client.close();
    }
  }

  private async withTarget<T>(id: string, fn: (target: FirewallTarget) => Promise<T>): Promise<T> {
    const target = await this.targets.open(id);
    try {
      return await fn(target);
    } catch (error) {
      if (error instanceof PfSenseError) throw new FirewallUnreachable(target.row.name, error.message);
      throw error;
    } finally {
      await target.client.close();
    }
  }
}

function countDeletes(plan: Plan): number {
  return plan.changes.filter((c) => c.action === 'delete').length;
}

/** A round's plan step returns `{ plan, interfaces }`; anything else counts as no changes. */
function changesIn(result: unknown): number {
  const parsed = z.object({ plan: z.object({ changes: z.array(z.unknown()) }) }).safeParse(result);
  return parsed.success ? parsed.data.plan.changes.length : 0;
}
