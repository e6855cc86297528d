import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { Deployment } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { CursorTable } from '../../shared/cursor-table.ts';
import { Icon } from '../../shared/icon.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { DeploymentsApi } from './deployments-api.ts';
import { deploymentStatusClass, deploymentStatuses } from './deployment-status.ts';

@Component({
  selector: 'app-deployment-list',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatTableModule,
    MatSortModule,
    CursorTable,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    Icon,
    TimeAgoPipe,
  ],
  template: `
    <header class="page-header">
      <h1>{{ session.isCustomer() ? 'Your deployments' : 'Deployments' }}</h1>
      @if (session.canEdit()) {
        <div class="actions">
          <a mat-flat-button routerLink="/deployments/new"><app-icon name="add" /> Add deployment</a>
        </div>
      }
    </header>
    <form class="filters" [formGroup]="filters" role="search" aria-label="Filter deployments">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Search name</mat-label>
        <input matInput formControlName="q" type="search" />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Status</mat-label>
        <mat-select formControlName="status">
          <mat-option value="">Any</mat-option>
          @for (status of statuses; track status) {
            <mat-option [value]="status">{{ status }}</mat-option>
          }
        </mat-select>
      </mat-form-field>
      @if (!session.isCustomer()) {
        <mat-form-field subscriptSizing="dynamic">
          <mat-label>Kind</mat-label>
          <mat-select formControlName="kind">
            <mat-option value="">Any</mat-option>
            <mat-option value="internal">Our own</mat-option>
            <mat-option value="customer">Customer</mat-option>
          </mat-select>
        </mat-form-field>
      }
    </form>
    <app-cursor-table
      [list]="list"
      [columns]="columns"
      label="Deployments"
      noun="deployments"
      empty="No deployments match."
    >
      <ng-container matColumnDef="name">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>Name</th>
        <td mat-cell *matCellDef="let deployment">
          <a [routerLink]="['/deployments', deployment.id]">{{ deployment.name }}</a>
        </td>
      </ng-container>
      <ng-container matColumnDef="status">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>Status</th>
        <td mat-cell *matCellDef="let deployment">
          <span class="status" [class]="statusClass(deployment.status)">{{ deployment.status }}</span>
        </td>
      </ng-container>
      <ng-container matColumnDef="kind">
        <th mat-header-cell *matHeaderCellDef>Kind</th>
        <td mat-cell *matCellDef="let deployment">
          {{ deployment.kind === 'internal' ? 'our own' : 'customer' }}
        </td>
      </ng-container>
      <ng-container matColumnDef="customer">
        <th mat-header-cell *matHeaderCellDef>Customer</th>
        <td mat-cell *matCellDef="let deployment">
          {{ names.nameOf(names.customers(), deployment.customerId) ?? '—' }}
        </td>
      </ng-container>
      <ng-container matColumnDef="runtime">
        <th mat-header-cell *matHeaderCellDef>Runtime</th>
        <td mat-cell *matCellDef="let deployment">{{ deployment.runtime ?? '—' }}</td>
      </ng-container>
      <ng-container matColumnDef="createdAt">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>Created</th>
        <td mat-cell *matCellDef="let deployment">{{ deployment.createdAt | timeAgo }}</td>
      </ng-container>
    </app-cursor-table>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class DeploymentList {
  private readonly deployments = inject(DeploymentsApi);
  protected readonly session = inject(SessionState);
  protected readonly names = inject(ReferenceNames);
  protected readonly statuses = deploymentStatuses;
  protected readonly statusClass = deploymentStatusClass;
  protected readonly list = new CursorList<Deployment>((query) => this.deployments.list(query), {
    sort: 'name',
  });
  protected readonly columns = this.session.isCustomer()
    ? ['name', 'status', 'runtime', 'createdAt']
    : ['name', 'status', 'kind', 'customer', 'runtime', 'createdAt'];
  protected readonly filters = inject(FormBuilder).nonNullable.group({ q: [''], status: [''], kind: [''] });

  constructor() {
    void this.list.followFilters(this.filters, inject(DestroyRef));
    if (!this.session.isCustomer()) void this.names.loadCustomers();
  }
}
