import { ChangeDetectionStrategy, Component, DestroyRef, inject, input, type OnInit } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { auditPageSchema, type AuditEntry } from '@skyy/contracts';
import { Api } from '../../core/http/api.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { CursorTable } from '../../shared/cursor-table.ts';
import { DateTimePipe } from '../../shared/time.ts';

/** Who changed what, when and from where: every mutation and every failed sign-in. */
@Component({
  selector: 'app-audit-log',
  imports: [
    ReactiveFormsModule,
    MatTableModule,
    MatSortModule,
    CursorTable,
    MatFormFieldModule,
    MatInputModule,
    DateTimePipe,
  ],
  template: `
    <header class="page-header"><h1>Audit log</h1></header>
    <p class="subtitle">
      Every change and every failed sign-in, newest first. Secrets are never written here.
    </p>
    <form class="filters" [formGroup]="filters" role="search" aria-label="Filter the audit log">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Action</mat-label>
        <input matInput formControlName="action" placeholder="host.create" />
      </mat-form-field>
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Target type</mat-label>
        <input matInput formControlName="targetType" placeholder="host" />
      </mat-form-field>
    </form>
    <app-cursor-table
      [list]="list"
      [columns]="columns"
      label="Audit log"
      noun="the audit log"
      empty="Nothing recorded matches."
      [pageSizes]="[25, 50, 100]"
    >
      <ng-container matColumnDef="at">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>When</th>
        <td mat-cell *matCellDef="let entry" class="nowrap">{{ entry.at | dateTime }}</td>
      </ng-container>
      <ng-container matColumnDef="actor">
        <th mat-header-cell *matHeaderCellDef>Who</th>
        <td mat-cell *matCellDef="let entry">
          {{ entry.actorName ?? (entry.actorId ? entry.actorId.slice(0, 8) : 'anonymous / system') }}
        </td>
      </ng-container>
      <ng-container matColumnDef="action">
        <th mat-header-cell *matHeaderCellDef>Action</th>
        <td mat-cell *matCellDef="let entry" class="mono">{{ entry.action }}</td>
      </ng-container>
      <ng-container matColumnDef="target">
        <th mat-header-cell *matHeaderCellDef>Target</th>
        <td mat-cell *matCellDef="let entry">
          {{ entry.targetType ?? '—' }}
          @if (entry.targetId) {
            <span class="mono muted">{{ entry.targetId.slice(0, 8) }}</span>
          }
        </td>
      </ng-container>
      <ng-container matColumnDef="ip">
        <th mat-header-cell *matHeaderCellDef>From</th>
        <td mat-cell *matCellDef="let entry" class="mono">{{ entry.ip ?? '—' }}</td>
      </ng-container>
      <ng-container matColumnDef="details">
        <th mat-header-cell *matHeaderCellDef>Details</th>
        <td mat-cell *matCellDef="let entry" class="mono details" [attr.title]="summary(entry) || null">
          {{ summary(entry) }}
        </td>
      </ng-container>
    </app-cursor-table>
  `,
  styles: `
    .nowrap {
      white-space: nowrap;
    }
    .details {
      max-width: 360px;
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuditLog implements OnInit {
  private readonly api = inject(Api);
  private readonly destroyRef = inject(DestroyRef);
  protected readonly list = new CursorList<AuditEntry>(
    (query) => this.api.get('/audit', auditPageSchema, query),
    {
      sort: 'at',
      order: 'desc',
    },
  );
  protected readonly columns = ['at', 'actor', 'action', 'target', 'ip', 'details'];
  /** `?action=…` from the dashboard. */
  readonly action = input<string>();
  protected readonly filters = inject(FormBuilder).nonNullable.group({ action: [''], targetType: [''] });

  ngOnInit(): void {
    const action = this.action();
    if (action) this.filters.setValue({ action, targetType: '' }, { emitEvent: false });
    void this.list.followFilters(this.filters, this.destroyRef);
  }

  protected summary(entry: AuditEntry): string {
    const text = JSON.stringify(entry.details);
    return text === '{}' ? '' : text;
  }
}
