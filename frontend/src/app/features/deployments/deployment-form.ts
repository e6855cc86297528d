import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { Router, RouterLink } from '@angular/router';
import { deploymentCreateSchema, deploymentUpdateSchema, type Deployment } from '@skyy/contracts';
import { errorMessage } from '../../core/http/api-error.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { splitList } from '../../shared/list-text.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { deploymentStatuses } from './deployment-status.ts';
import { DeploymentsApi } from './deployments-api.ts';

@Component({
  selector: 'app-deployment-form',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    FormErrors,
  ],
  template: `
    <header class="page-header">
      <h1>{{ id() ? 'Edit ' + (loaded()?.name ?? 'deployment') : 'Add a deployment' }}</h1>
    </header>
    <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <mat-form-field>
        <mat-label>Name</mat-label>
        <input matInput formControlName="name" required autocomplete="off" />
        <mat-error>{{ submission.errorOf('name') }}</mat-error>
      </mat-form-field>
      @if (!id()) {
        <mat-form-field>
          <mat-label>Kind</mat-label>
          <mat-select formControlName="kind">
            <mat-option value="internal">Our own (monitoring, personal, Skyy Command)</mat-option>
            <mat-option value="customer">A customer's</mat-option>
          </mat-select>
          <mat-error>{{ submission.errorOf('kind') }}</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Customer</mat-label>
          <mat-select formControlName="customerId">
            <mat-option value="">None</mat-option>
            @for (customer of names.customers(); track customer.id) {
              <mat-option [value]="customer.id">{{ customer.name }}</mat-option>
            }
          </mat-select>
          <mat-error>{{ submission.errorOf('customerId') }}</mat-error>
        </mat-form-field>
      }
      <mat-form-field>
        <mat-label>Status</mat-label>
        <mat-select formControlName="status">
          @for (status of statuses; track status) {
            <mat-option [value]="status">{{ status }}</mat-option>
          }
        </mat-select>
        <mat-error>{{ submission.errorOf('status') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Host</mat-label>
        <mat-select formControlName="hostId">
          <mat-option value="">Not placed</mat-option>
          @for (host of names.hosts(); track host.id) {
            <mat-option [value]="host.id">{{ host.name }}</mat-option>
          }
        </mat-select>
        <mat-error>{{ submission.errorOf('hostId') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Runtime</mat-label>
        <input
          matInput
          formControlName="runtime"
          placeholder="docker-compose, vm, fluxedge"
          autocomplete="off"
        />
        <mat-error>{{ submission.errorOf('runtime') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Description</mat-label>
        <textarea matInput formControlName="description" rows="3"></textarea>
        <mat-error>{{ submission.errorOf('description') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Tags</mat-label>
        <input matInput formControlName="tags" autocomplete="off" />
        <mat-hint>Comma-separated</mat-hint>
        <mat-error>{{ submission.errorOf('tags') }}</mat-error>
      </mat-form-field>
      <app-form-errors [submission]="submission" />
      <div class="form-actions">
        <button mat-flat-button type="submit" [disabled]="submission.busy()">
          {{ id() ? 'Save changes' : 'Add deployment' }}
        </button>
        <a mat-button [routerLink]="id() ? ['/deployments', id()] : ['/deployments']">Cancel</a>
      </div>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeploymentForm {
  private readonly deployments = inject(DeploymentsApi);
  private readonly router = inject(Router);
  protected readonly names = inject(ReferenceNames);
  protected readonly statuses = deploymentStatuses;
  readonly id = input<string>();
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: ['', Validators.required],
    kind: ['internal'],
    customerId: [''],
    status: ['planned'],
    hostId: [''],
    runtime: [''],
    description: [''],
    tags: [''],
  });
  protected readonly submission = new FormSubmission(this.form);
  protected readonly loaded = signal<Deployment | null>(null);

  constructor() {
    void this.names.loadCustomers();
    void this.names.loadHosts();
    effect(() => {
      const id = this.id();
      if (!id) return;
      this.deployments.get(id).then(
        (deployment) => {
          this.loaded.set(deployment);
          this.form.setValue({
            name: deployment.name,
            kind: deployment.kind,
            customerId: deployment.customerId ?? '',
            status: deployment.status,
            hostId: deployment.hostId ?? '',
            runtime: deployment.runtime ?? '',
            description: deployment.description ?? '',
            tags: deployment.tags.join(', '),
          });
        },
        (error: unknown) => this.submission.error.set(errorMessage(error)),
      );
    });
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const v = this.form.getRawValue();
    const common = {
      name: v.name,
      status: v.status,
      hostId: v.hostId || null,
      runtime: v.runtime.trim() || null,
      description: v.description.trim() || null,
      tags: splitList(v.tags),
    };
    const id = this.id();
    const body = id ? common : { ...common, kind: v.kind, customerId: v.customerId || null };
    const data = this.submission.parse(id ? deploymentUpdateSchema : deploymentCreateSchema, body);
    if (!data) return;
    await this.submission.send(async () => {
      const saved = id
        ? await this.deployments.update(id, data)
        : await this.deployments.create(deploymentCreateSchema.parse(body));
      await this.router.navigate(['/deployments', saved.id]);
    });
  }
}
