import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { Cluster } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { CursorTable } from '../../shared/cursor-table.ts';
import { Icon } from '../../shared/icon.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { ClustersApi } from './clusters-api.ts';

@Component({
  selector: 'app-cluster-list',
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
      <h1>Clusters</h1>
      @if (session.isAdmin()) {
        <div class="actions">
          <a mat-flat-button routerLink="/clusters/new"><app-icon name="add" /> Add cluster</a>
        </div>
      }
    </header>
    <p class="subtitle">Proxmox VE, Ceph and Nomad clusters and how Skyy Command reaches them.</p>

    <form class="filters" [formGroup]="filters" role="search" aria-label="Filter clusters">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Search name</mat-label>
        <input matInput formControlName="q" type="search" />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Type</mat-label>
        <mat-select formControlName="type">
          <mat-option value="">Any</mat-option>
          <mat-option value="proxmox">Proxmox VE</mat-option>
          <mat-option value="ceph">Ceph</mat-option>
          <mat-option value="nomad">Nomad</mat-option>
        </mat-select>
      </mat-form-field>
    </form>
    <app-cursor-table
      [list]="list"
      [columns]="columns"
      label="Clusters"
      noun="clusters"
      empty="No clusters yet."
    >
      <ng-container matColumnDef="name">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>Name</th>
        <td mat-cell *matCellDef="let cluster">
          <a [routerLink]="['/clusters', cluster.id]">{{ cluster.name }}</a>
        </td>
      </ng-container>
      <ng-container matColumnDef="type">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>Type</th>
        <td mat-cell *matCellDef="let cluster">{{ cluster.type }}</td>
      </ng-container>
      <ng-container matColumnDef="site">
        <th mat-header-cell *matHeaderCellDef>Site</th>
        <td mat-cell *matCellDef="let cluster">{{ cluster.site ?? '—' }}</td>
      </ng-container>
      <ng-container matColumnDef="apiUrl">
        <th mat-header-cell *matHeaderCellDef>API</th>
        <td mat-cell *matCellDef="let cluster" class="mono">{{ cluster.apiUrl ?? '—' }}</td>
      </ng-container>
      <ng-container matColumnDef="token">
        <th mat-header-cell *matHeaderCellDef>Token</th>
        <td mat-cell *matCellDef="let cluster">{{ cluster.tokenSecret.set ? 'set' : 'not set' }}</td>
      </ng-container>
      <ng-container matColumnDef="createdAt">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>Added</th>
        <td mat-cell *matCellDef="let cluster">{{ cluster.createdAt | timeAgo }}</td>
      </ng-container>
    </app-cursor-table>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterList {
  private readonly clusters = inject(ClustersApi);
  protected readonly session = inject(SessionState);
  protected readonly list = new CursorList<Cluster>((query) => this.clusters.list(query), { sort: 'name' });
  protected readonly columns = ['name', 'type', 'site', 'apiUrl', 'token', 'createdAt'];
  protected readonly filters = inject(FormBuilder).nonNullable.group({ q: [''], type: [''] });

  constructor() {
    void this.list.followFilters(this.filters, inject(DestroyRef));
  }
}
