import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import {
  auditPageSchema,
  clusterPageSchema,
  deploymentPageSchema,
  hostPageSchema,
  jobPageSchema,
  type AuditEntry,
  type Job,
} from '@skyy/contracts';
import * as z from 'zod';
import { LiveEvents, STREAM_RECONNECTED } from '../../core/events/live-events.ts';
import { Api, type Query } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Icon } from '../../shared/icon.ts';
import type { IconName } from '../../shared/icons.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { jobStatusClass } from '../jobs/job-status.ts';

interface Tile {
  label: string;
  value: number;
  detail: string;
  link: string;
  query?: Record<string, string>;
  icon: IconName;
  tone: 'ok' | 'busy' | 'bad' | 'idle';
}

const readySchema = z.object({
  status: z.string(),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), latencyMs: z.number().optional() })),
});

/** The estate at a glance: every number is a live count from the API and links to its list. */
@Component({
  selector: 'app-dashboard',
  imports: [RouterLink, MatButtonModule, Icon, TimeAgoPipe],
  templateUrl: './dashboard.html',
  styleUrl: './dashboard.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Dashboard {
  private readonly api = inject(Api);
  protected readonly tiles = signal<Tile[]>([]);
  protected readonly recentAudit = signal<AuditEntry[]>([]);
  protected readonly recentJobs = signal<Job[]>([]);
  protected readonly health = signal<{ name: string; ok: boolean; latencyMs: number | undefined }[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly loaded = signal(false);
  protected readonly statusClass = jobStatusClass;

  constructor() {
    void this.load();
    // Jobs starting and ending change the counts: refresh without a reload.
    const events = inject(LiveEvents);
    events.on('job.status', () => void this.load());
    events.on(STREAM_RECONNECTED, () => void this.load());
  }

  private count(path: string, schema: z.ZodType<{ total: number }>, query: Query = {}): Promise<number> {
    return this.api.get(path, schema, { ...query, limit: 1 }).then((page) => page.total);
  }

  protected async load(): Promise<void> {
    try {
      const [hosts, gpuHosts, clusters, deployments, running, failedDeployments, jobsRunning, jobsFailed] =
        await Promise.all([
          this.count('/hosts', hostPageSchema),
          this.count('/hosts', hostPageSchema, { gpu: 'true' }),
          this.count('/clusters', clusterPageSchema),
          this.count('/deployments', deploymentPageSchema),
          this.count('/deployments', deploymentPageSchema, { status: 'running' }),
          this.count('/deployments', deploymentPageSchema, { status: 'failed' }),
          this.count('/jobs', jobPageSchema, { status: 'running' }),
          this.count('/jobs', jobPageSchema, { status: 'failed' }),
        ]);
      this.tiles.set([
        {
          label: 'Hosts',
          value: hosts,
          detail: `${gpuHosts} with GPUs`,
          link: '/hosts',
          icon: 'dns',
          tone: hosts > 0 ? 'ok' : 'idle',
        },
        {
          label: 'Clusters',
          value: clusters,
          detail: 'Proxmox, Ceph, Nomad',
          link: '/clusters',
          icon: 'hub',
          tone: 'idle',
        },
        {
          label: 'Deployments',
          value: deployments,
          detail: `${running} running · ${failedDeployments} failed`,
          link: '/deployments',
          icon: 'rocket_launch',
          tone: failedDeployments > 0 ? 'bad' : deployments > 0 ? 'ok' : 'idle',
        },
        {
          label: 'Jobs running',
          value: jobsRunning,
          detail: 'now',
          link: '/jobs',
          query: { status: 'running' },
          icon: 'pending_actions',
          tone: jobsRunning > 0 ? 'busy' : 'idle',
        },
        {
          label: 'Jobs failed',
          value: jobsFailed,
          detail: 'kept until retried',
          link: '/jobs',
          query: { status: 'failed' },
          icon: 'error',
          tone: jobsFailed > 0 ? 'bad' : 'ok',
        },
      ]);
      const [audit, jobs] = await Promise.all([
        this.api.get('/audit', auditPageSchema, { limit: 8, order: 'desc' }),
        this.api.get('/jobs', jobPageSchema, { limit: 5, order: 'desc' }),
      ]);
      this.recentAudit.set(audit.items);
      this.recentJobs.set(jobs.items);
      const ready = await this.api.get('/api/ready', readySchema).catch(() => null);
      this.health.set(
        ready
          ? Object.entries(ready.checks).map(([name, check]) => ({
              name,
              ok: check.ok,
              latencyMs: check.latencyMs,
            }))
          : [],
      );
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.loaded.set(true);
    }
  }
}
