import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import type { Cluster, Host } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { Icon } from '../../shared/icon.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { hostPageSchema } from '@skyy/contracts';
import { ClusterInventory } from './cluster-inventory.ts';
import { ClustersApi } from './clusters-api.ts';

@Component({
  selector: 'app-cluster-detail',
  imports: [RouterLink, MatButtonModule, Icon, DateTimePipe, ClusterInventory],
  template: `
    @if (error()) {
      <p class="form-error" role="alert">{{ error() }}</p>
    }
    @if (cluster(); as cluster) {
      <header class="page-header">
        <a mat-icon-button routerLink="/clusters" aria-label="Back to clusters"
          ><app-icon name="arrow_back"
        /></a>
        <h1>{{ cluster.name }}</h1>
        <div class="actions">
          @if (session.canEdit() && cluster.type === 'proxmox') {
            <a mat-stroked-button [routerLink]="['/clusters', cluster.id, 'plan']"
              ><app-icon name="pending_actions" /> Plan VMs</a
            >
          }
          @if (session.isAdmin()) {
            <a mat-stroked-button [routerLink]="['/clusters', cluster.id, 'edit']"
              ><app-icon name="edit" /> Edit</a
            >
            <button mat-stroked-button type="button" (click)="remove(cluster)">
              <app-icon name="delete" /> Delete
            </button>
          }
        </div>
      </header>
      <section class="panel" aria-labelledby="cluster-facts">
        <h2 id="cluster-facts">Cluster</h2>
        <dl class="facts">
          <dt>Type</dt>
          <dd>{{ cluster.type }}</dd>
          <dt>Site</dt>
          <dd>{{ cluster.site ?? '—' }}</dd>
          <dt>API URL</dt>
          <dd class="mono">{{ cluster.apiUrl ?? '—' }}</dd>
          <dt>Token id</dt>
          <dd class="mono">{{ cluster.tokenId ?? '—' }}</dd>
          <dt>Token secret</dt>
          <dd>
            @if (cluster.tokenSecret.set) {
              {{
                cluster.tokenSecret.source === 'env'
                  ? 'from the environment variable ' + cluster.tokenSecret.envName
                  : 'stored encrypted'
              }}
            } @else {
              not set
            }
          </dd>
          <dt>TLS</dt>
          <dd>
            {{
              cluster.tls.insecure
                ? 'certificate not verified'
                : cluster.tls.fingerprint
                  ? 'pinned fingerprint'
                  : cluster.tls.caFile
                    ? 'CA file ' + cluster.tls.caFile
                    : 'system CAs'
            }}
          </dd>
          <dt>Defined in</dt>
          <dd>{{ cluster.source === 'config' ? 'config.yaml' : 'the console or API' }}</dd>
          <dt>Added</dt>
          <dd>{{ cluster.createdAt | dateTime }}</dd>
        </dl>
      </section>
      @if (cluster.type === 'proxmox') {
        <app-cluster-inventory [clusterId]="cluster.id" />
      }
      <section class="panel" aria-labelledby="cluster-hosts">
        <h2 id="cluster-hosts">Hosts ({{ hosts().length }})</h2>
        <div class="chips">
          @for (host of hosts(); track host.id) {
            <a class="chip" [routerLink]="['/hosts', host.id]">{{ host.hostname }}</a>
          } @empty {
            <span class="muted">No host is assigned to this cluster.</span>
          }
        </div>
      </section>
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterDetail {
  private readonly clusters = inject(ClustersApi);
  private readonly api = inject(Api);
  private readonly confirm = inject(Confirm);
  private readonly router = inject(Router);
  protected readonly session = inject(SessionState);
  readonly id = input.required<string>();
  protected readonly cluster = signal<Cluster | null>(null);
  protected readonly hosts = signal<Host[]>([]);
  protected readonly error = signal<string | null>(null);

  constructor() {
    effect(() => {
      const id = this.id();
      this.clusters.get(id).then(
        (cluster) => this.cluster.set(cluster),
        (error: unknown) => this.error.set(errorMessage(error)),
      );
      this.api.get('/hosts', hostPageSchema, { clusterId: id, limit: 500 }).then(
        (page) => this.hosts.set(page.items),
        () => undefined,
      );
    });
  }

  protected async remove(cluster: Cluster): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Delete ${cluster.name}?`,
      message:
        'The cluster leaves the inventory; its hosts stay, without a cluster. The cluster itself is not touched.',
      confirmLabel: 'Delete cluster',
      destructive: true,
    });
    if (!yes) return;
    try {
      await this.clusters.delete(cluster.id);
      await this.router.navigateByUrl('/clusters');
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
