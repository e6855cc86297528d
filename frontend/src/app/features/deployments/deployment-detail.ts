import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import type { Deployment } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { Icon } from '../../shared/icon.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { DeploymentsApi } from './deployments-api.ts';
import { deploymentStatusClass } from './deployment-status.ts';

@Component({
  selector: 'app-deployment-detail',
  imports: [RouterLink, MatButtonModule, Icon, DateTimePipe],
  template: `
    @if (error()) {
      <p class="form-error" role="alert">{{ error() }}</p>
    }
    @if (deployment(); as deployment) {
      <header class="page-header">
        <a mat-icon-button routerLink="/deployments" aria-label="Back to deployments"
          ><app-icon name="arrow_back"
        /></a>
        <h1>{{ deployment.name }}</h1>
        <span class="status" [class]="statusClass(deployment.status)">{{ deployment.status }}</span>
        @if (session.canEdit()) {
          <div class="actions">
            <a mat-stroked-button [routerLink]="['/deployments', deployment.id, 'edit']"
              ><app-icon name="edit" /> Edit</a
            >
            <button mat-stroked-button type="button" (click)="remove(deployment)">
              <app-icon name="delete" /> Delete
            </button>
          </div>
        }
      </header>
      <section class="panel" aria-labelledby="deployment-facts">
        <h2 id="deployment-facts">Deployment</h2>
        <dl class="facts">
          <dt>Kind</dt>
          <dd>{{ deployment.kind === 'internal' ? 'our own' : 'customer deployment' }}</dd>
          @if (!session.isCustomer()) {
            <dt>Customer</dt>
            <dd>
              @if (deployment.customerId) {
                <a [routerLink]="['/customers', deployment.customerId]">{{
                  names.nameOf(names.customers(), deployment.customerId)
                }}</a>
              } @else {
                —
              }
            </dd>
            <dt>Host</dt>
            <dd>
              @if (deployment.hostId) {
                <a [routerLink]="['/hosts', deployment.hostId]">{{
                  names.nameOf(names.hosts(), deployment.hostId)
                }}</a>
              } @else {
                —
              }
            </dd>
          }
          <dt>Runtime</dt>
          <dd>{{ deployment.runtime ?? '—' }}</dd>
          <dt>Description</dt>
          <dd>{{ deployment.description ?? '—' }}</dd>
          <dt>Tags</dt>
          <dd>{{ deployment.tags.length ? deployment.tags.join(', ') : '—' }}</dd>
          <dt>Created</dt>
          <dd>{{ deployment.createdAt | dateTime }}</dd>
          <dt>Updated</dt>
          <dd>{{ deployment.updatedAt | dateTime }}</dd>
        </dl>
      </section>
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeploymentDetail {
  private readonly deployments = inject(DeploymentsApi);
  private readonly confirm = inject(Confirm);
  private readonly router = inject(Router);
  protected readonly session = inject(SessionState);
  protected readonly names = inject(ReferenceNames);
  protected readonly statusClass = deploymentStatusClass;
  readonly id = input.required<string>();
  protected readonly deployment = signal<Deployment | null>(null);
  protected readonly error = signal<string | null>(null);

  constructor() {
    if (!this.session.isCustomer()) {
      void this.names.loadCustomers();
      void this.names.loadHosts();
    }
    effect(() => {
      this.deployments.get(this.id()).then(
        (deployment) => this.deployment.set(deployment),
        (error: unknown) => this.error.set(errorMessage(error)),
      );
    });
  }

  protected async remove(deployment: Deployment): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Delete ${deployment.name}?`,
      message:
        'The deployment record is removed from Skyy Command. Running workloads are not stopped by this.',
      confirmLabel: 'Delete deployment',
      destructive: true,
    });
    if (!yes) return;
    try {
      await this.deployments.delete(deployment.id);
      await this.router.navigateByUrl('/deployments');
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
