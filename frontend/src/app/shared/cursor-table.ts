import {
  type AfterContentInit,
  ChangeDetectionStrategy,
  Component,
  ContentChildren,
  effect,
  inject,
  input,
  type QueryList,
  ViewChild,
} from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatPaginatorModule } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSort } from '@angular/material/sort';
import { MatColumnDef, MatTable, MatTableModule } from '@angular/material/table';
import type { CursorList } from './cursor-list.ts';

/**
 * The frame every server-paged list page shares: its error, the loading bar, a mat-table of
 * the list's rows with an empty-state row, and the paginator. The page projects only its
 * `matColumnDef`s; `mat-sort-header` in them sorts on the server through the list.
 *
 * ```html
 * <app-cursor-table [list]="list" [columns]="columns" label="Hosts" noun="hosts" empty="No hosts match.">
 *   <ng-container matColumnDef="hostname">…</ng-container>
 * </app-cursor-table>
 * ```
 */
@Component({
  selector: 'app-cursor-table',
  imports: [MatTableModule, MatPaginatorModule, MatProgressBarModule],
  // MatSort sits on this element, not on the inner table: projected headers look for it
  // where they were written (inside <app-cursor-table>), not where the table renders them.
  hostDirectives: [MatSort],
  template: `
    @if (message() || list().error()) {
      <p class="form-error" role="alert">{{ message() ?? list().error() }}</p>
    }
    <div class="table-scroll">
      @if (list().loading()) {
        <mat-progress-bar mode="indeterminate" [attr.aria-label]="'Loading ' + noun()" />
      }
      <table mat-table [dataSource]="list().items()" [attr.aria-label]="label()">
        <tr mat-header-row *matHeaderRowDef="columns()"></tr>
        <tr mat-row *matRowDef="let row; columns: columns()"></tr>
        <tr class="mat-row" *matNoDataRow>
          <td class="empty" [attr.colspan]="columns().length">
            {{ list().loading() ? 'Loading…' : empty() }}
          </td>
        </tr>
      </table>
      <mat-paginator
        [length]="list().total()"
        [pageIndex]="list().pageIndex()"
        [pageSize]="list().pageSize()"
        [pageSizeOptions]="pageSizes()"
        (page)="list().page($event)"
        [attr.aria-label]="'Pages of ' + noun()"
      />
    </div>
  `,
  // The host adds no box of its own, so the page lays out exactly as if it held these itself.
  styles: `
    :host {
      display: contents;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CursorTable<T> implements AfterContentInit {
  readonly list = input.required<CursorList<T>>();
  readonly columns = input.required<readonly string[]>();
  /** The table's accessible name, e.g. "Hosts". */
  readonly label = input.required<string>();
  /** What the rows are, for "Loading …" and "Pages of …", e.g. "hosts" or "the audit log". */
  readonly noun = input.required<string>();
  /** The text of the empty table once loaded. */
  readonly empty = input.required<string>();
  readonly pageSizes = input<readonly number[]>([10, 25, 50, 100]);
  /** The page's own error (a failed action), shown in place of the list's. */
  readonly message = input<string | null>(null);

  // Decorator queries because they must be static: the column definitions have to be on the
  // table before its first render, which an ordinary (signal) view query resolves too late for.
  @ContentChildren(MatColumnDef) private readonly columnDefs!: QueryList<MatColumnDef>;
  @ViewChild(MatTable, { static: true }) private readonly table!: MatTable<T>;

  constructor() {
    const sort = inject(MatSort, { self: true });
    sort.sortChange.pipe(takeUntilDestroyed()).subscribe((change) => void this.list().sortBy(change));
    // The list owns sort and order (clearing a sort falls back to ascending); the headers show it.
    effect(() => {
      sort.active = this.list().sort();
      sort.direction = this.list().order();
      sort.ngOnChanges();
    });
  }

  ngAfterContentInit(): void {
    for (const columnDef of this.columnDefs) this.table.addColumnDef(columnDef);
  }
}
