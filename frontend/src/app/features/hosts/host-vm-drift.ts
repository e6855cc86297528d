import { ChangeDetectionStrategy, Component, computed, effect, inject, input, signal } from '@angular/core';
import { RouterLink } from '@angular/router';
import { clusterDriftSchema, type ClusterDrift } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { VmPlanActions } from '../clusters/vm-plan-actions.ts';

/**
 * The VMs this host's YAML declares compared with its Proxmox cluster (GET /clusters/:id/drift,
 * which never deletes): what an apply would change on this node, or "in sync".
 */
@Component({
  selector: 'app-host-vm-drift',
  imports: [RouterLink, VmPlanActions],
  template: `
    <section class="panel" aria-labelledby="vm-drift-title">
      <h2 id="vm-drift-title">VM drift</h2>
      @if (error()) {
        <p class="muted" role="status">Drift unavailable: {{ error() }}</p>
      } @else if (drift(); as drift) {
        @if (!declared().length) {
          <p class="muted" role="status">This host's YAML declares no VMs (no <code>vms:</code>).</p>
        } @else if (changed()) {
          <p role="status">
            <span class="status busy">drift</span> The cluster differs from this host's YAML; applying it
            @if (session.canEdit()) {
              (<a [routerLink]="['/clusters', clusterId(), 'plan']">Plan VMs</a>)
            }
            would make these changes:
          </p>
          <app-vm-plan-actions [plan]="drift.plan" [node]="hostname()" [clusterId]="clusterId()" />
        } @else {
          <p role="status">
            <span class="status ok">in sync</span> {{ declared().length }} declared VMs match the cluster.
          </p>
        }
      } @else {
        <p class="muted">Comparing with the cluster…</p>
      }
    </section>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HostVmDrift {
  private readonly api = inject(Api);
  protected readonly session = inject(SessionState);
  readonly clusterId = input.required<string>();
  readonly hostname = input.required<string>();

  protected readonly drift = signal<ClusterDrift | null>(null);
  protected readonly error = signal<string | null>(null);

  private readonly onNode = (item: { node?: string | null | undefined }) =>
    (item.node ?? '').toLowerCase() === this.hostname().toLowerCase();

  /** This node's VMs as the plan sees them (unchanged ones included). */
  protected readonly declared = computed(() => this.drift()?.plan.actions.filter(this.onNode) ?? []);
  protected readonly changed = computed(
    () =>
      this.declared().some((action) => action.action !== 'unchanged' && action.action !== 'keep') ||
      (this.drift()?.plan.errors.some(this.onNode) ?? false),
  );

  constructor() {
    effect(() => {
      const clusterId = this.clusterId();
      this.api.get(`/clusters/${clusterId}/drift`, clusterDriftSchema).then(
        (drift) => {
          this.drift.set(drift);
          this.error.set(null);
        },
        (error: unknown) => this.error.set(errorMessage(error)),
      );
    });
  }
}
