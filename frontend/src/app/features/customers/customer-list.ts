import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { Customer } from '@skyy/contracts';
import { debounceTime } from 'rxjs';
import { SessionState } from '../../core/auth/session-state.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { Icon } from '../../shared/icon.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { CustomersApi } from './customers-api.ts';

@Component({
  selector: 'app-customer-list',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatTableModule,
    MatSortModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    Icon,
    TimeAgoPipe,
  ],
  template: `
    <header class="page-header">
      <h1>Customers</h1>
      @if (session.canEdit()) {
        <div class="actions">
          <a mat-flat-button routerLink="/customers/new"><app-icon name="add" /> Add customer</a>
        </div>
      }
    </header>
    <form class="filters" [formGroup]="filters" role="search" aria-label="Filter customers">
      <mat-form-field subscriptSizing="dynamic">
        <mat-label>Search name</mat-label>
        <input matInput formControlName="q" type="search" />
      </mat-form-field>
    </form>
    @if (list.error()) {
      <p class="form-error" role="alert">{{ list.error() }}</p>
    }
    <div class="table-scroll">
      @if (list.loading()) {
        <mat-progress-bar mode="indeterminate" aria-label="Loading customers" />
      }
      <table
        mat-table
        [dataSource]="list.items()"
        matSort
        [matSortActive]="list.sort()"
        [matSortDirection]="list.order()"
        (matSortChange)="list.sortBy($event)"
        aria-label="Customers"
      >
        <ng-container matColumnDef="name">
          <th mat-header-cell *matHeaderCellDef mat-sort-header>Name</th>
          <td mat-cell *matCellDef="let customer">
            <a [routerLink]="['/customers', customer.id]">{{ customer.name }}</a>
          </td>
        </ng-container>
        <ng-container matColumnDef="email">
          <th mat-header-cell *matHeaderCellDef>E-mail</th>
          <td mat-cell *matCellDef="let customer">{{ customer.email ?? '—' }}</td>
        </ng-container>
        <ng-container matColumnDef="createdAt">
          <th mat-header-cell *matHeaderCellDef mat-sort-header>Customer since</th>
          <td mat-cell *matCellDef="let customer">{{ customer.createdAt | timeAgo }}</td>
        </ng-container>
        <tr mat-header-row *matHeaderRowDef="columns"></tr>
        <tr mat-row *matRowDef="let row; columns: columns"></tr>
        <tr class="mat-row" *matNoDataRow>
          <td class="empty" [attr.colspan]="columns.length">
            {{ list.loading() ? 'Loading…' : 'No customers yet.' }}
          </td>
        </tr>
      </table>
      <mat-paginator
        [length]="list.total()"
        [pageIndex]="list.pageIndex()"
        [pageSize]="list.pageSize()"
        [pageSizeOptions]="[10, 25, 50, 100]"
        (page)="list.page($event)"
        aria-label="Pages of customers"
      />
    </div>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CustomerList {
  private readonly customers = inject(CustomersApi);
  protected readonly session = inject(SessionState);
  protected readonly list = new CursorList<Customer>((query) => this.customers.list(query), { sort: 'name' });
  protected readonly columns = ['name', 'email', 'createdAt'];
  protected readonly filters = inject(FormBuilder).nonNullable.group({ q: [''] });

  constructor() {
    void this.list.first();
    this.filters.valueChanges
      .pipe(debounceTime(250), takeUntilDestroyed())
      .subscribe((value) => void this.list.filter(value));
  }
}
