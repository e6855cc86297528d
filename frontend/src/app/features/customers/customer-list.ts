import { ChangeDetectionStrategy, Component, DestroyRef, inject } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import { RouterLink } from '@angular/router';
import type { Customer } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { CursorTable } from '../../shared/cursor-table.ts';
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
    CursorTable,
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
    <app-cursor-table
      [list]="list"
      [columns]="columns"
      label="Customers"
      noun="customers"
      empty="No customers yet."
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
    </app-cursor-table>
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
    void this.list.followFilters(this.filters, inject(DestroyRef));
  }
}
