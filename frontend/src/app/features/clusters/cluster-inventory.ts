import { ChangeDetectionStrategy, Component, effect, inject, input, signal, untracked } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatTabsModule } from '@angular/material/tabs';
import { Router, RouterLink } from '@angular/router';
import {
  clusterGpuListSchema,
  clusterGuestPageSchema,
  clusterNodeListSchema,
  clusterStorageListSchema,
  clusterSyncStartSchema,
  clusterSyncStatusSchema,
  jobStatusEventSchema,
  type ClusterGpu,
  type ClusterGuest,
  type ClusterNode,
  type ClusterStorage,
} from '@skyy/contracts';
import type * as z from 'zod';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents, STREAM_RECONNECTED } from '../../core/events/live-events.ts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Icon } from '../../shared/icon.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { StartedJobs } from '../jobs/jobs-api.ts';

/** 12.3 GiB: byte counts of nodes and storages, readable. */
export function bytes(value: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit++;
  }
  return `${n.toFixed(n >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
}

/**
 * What the last sync of a Proxmox cluster found: quorum, Ceph health, nodes, guests, storages
 * and GPUs, with "Sync now" for operators. Before the first sync it says so.
 */
@Component({
  selector: 'app-cluster-inventory',
  imports: [RouterLink, MatButtonModule, MatTabsModule, Icon, DateTimePipe],
  templateUrl: './cluster-inventory.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterInventory {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly started = inject(StartedJobs);
  protected readonly session = inject(SessionState);
  protected readonly bytes = bytes;

  readonly clusterId = input.required<string>();
  protected readonly status = signal<z.infer<typeof clusterSyncStatusSchema> | null>(null);
  protected readonly nodes = signal<ClusterNode[]>([]);
  protected readonly guests = signal<ClusterGuest[]>([]);
  protected readonly guestTotal = signal(0);
  protected readonly storages = signal<ClusterStorage[]>([]);
  protected readonly gpus = signal<ClusterGpu[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly syncing = signal(false);
  private syncJobId: string | null = null;

  constructor() {
    effect(() => {
      const id = this.clusterId();
      untracked(() => void this.load(id));
    });
    const events = inject(LiveEvents);
    events.on(STREAM_RECONNECTED, () => void this.load(this.clusterId()));
    // When the sync job this page started ends, show what it found.
    events.on('job.status', (data) => {
      const event = jobStatusEventSchema.safeParse(data);
      if (!event.success || event.data.id !== this.syncJobId) return;
      if (['succeeded', 'failed', 'cancelled'].includes(event.data.status)) {
        this.syncing.set(false);
        void this.load(this.clusterId());
      }
    });
  }

  private async load(id: string): Promise<void> {
    try {
      const base = `/clusters/${id}`;
      const [status, nodes, guests, storages, gpus] = await Promise.all([
        this.api.get(`${base}/status`, clusterSyncStatusSchema),
        this.api.get(`${base}/nodes`, clusterNodeListSchema),
        this.api.get(`${base}/guests`, clusterGuestPageSchema, { limit: 200 }),
        this.api.get(`${base}/storages`, clusterStorageListSchema),
        this.api.get(`${base}/gpus`, clusterGpuListSchema),
      ]);
      this.status.set(status);
      this.nodes.set(nodes.items);
      this.guests.set(guests.items);
      this.guestTotal.set(guests.total);
      this.storages.set(storages.items);
      this.gpus.set(gpus.items);
      this.error.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  protected async sync(): Promise<void> {
    this.error.set(null);
    try {
      const { jobId } = await this.api.post(`/clusters/${this.clusterId()}/sync`, {}, clusterSyncStartSchema);
      this.syncJobId = jobId;
      this.started.remember(jobId);
      this.syncing.set(true);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  protected openJob(): void {
    if (this.syncJobId) void this.router.navigate(['/jobs', this.syncJobId]);
  }
}
