import { signal, type DestroyRef, type WritableSignal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import type { PageEvent } from '@angular/material/paginator';
import type { Sort } from '@angular/material/sort';
import { debounceTime, type Observable } from 'rxjs';
import type { Page } from '@skyy/contracts';
import type { Query } from '../core/http/api.ts';
import { errorMessage } from '../core/http/api-error.ts';

/** The part of a reactive filter form a list follows. */
export interface FilterForm {
  readonly valueChanges: Observable<Query>;
  getRawValue(): Query;
}

/** How long typing in a filter must pause before the list asks the server again. */
export const filterDebounceMs = 250;

export interface CursorListOptions {
  sort: string;
  order?: 'asc' | 'desc';
  pageSize?: number;
}

/**
 * A server-sorted, server-filtered list with cursor pagination, shaped for mat-table and
 * mat-paginator. The API pages by opaque cursors, not offsets: the list remembers the cursor
 * of every page it has seen, so "next" and "previous" work; jumping to the last page does not.
 */
export class CursorList<T> {
  readonly items = signal<T[]>([]);
  readonly total = signal(0);
  readonly loading = signal(false);
  readonly error = signal<string | null>(null);
  readonly pageIndex = signal(0);
  readonly pageSize: WritableSignal<number>;
  readonly sort: WritableSignal<string>;
  readonly order: WritableSignal<'asc' | 'desc'>;

  private cursors: (string | undefined)[] = [undefined];
  private nextCursor: string | null = null;
  private filters: Query = {};
  private generation = 0;
  /** The page on screen or, while one loads, the page being loaded. */
  private target = 0;

  constructor(
    private readonly fetch: (query: Query) => Promise<Page<T>>,
    options: CursorListOptions,
  ) {
    this.sort = signal(options.sort);
    this.order = signal(options.order ?? 'asc');
    this.pageSize = signal(options.pageSize ?? 25);
  }

  /** New filters start again at the first page. */
  filter(filters: Query): Promise<void> {
    this.filters = filters;
    return this.first();
  }

  /**
   * Shows the first page for the form's current filters, then follows the form: once typing
   * pauses, each change starts again at the first page. Stops when `destroyRef` is destroyed
   * (the page's), so a page that set its filters from the URL in ngOnInit can call it there.
   */
  followFilters(form: FilterForm, destroyRef: DestroyRef): Promise<void> {
    form.valueChanges
      .pipe(debounceTime(filterDebounceMs), takeUntilDestroyed(destroyRef))
      .subscribe((value) => void this.filter(value));
    return this.filter(form.getRawValue());
  }

  sortBy(sort: Sort): Promise<void> {
    if (sort.direction === '') {
      this.order.set('asc');
    } else {
      this.sort.set(sort.active);
      this.order.set(sort.direction);
    }
    return this.first();
  }

  page(event: PageEvent): Promise<void> {
    if (event.pageSize !== this.pageSize()) {
      this.pageSize.set(event.pageSize);
      return this.first();
    }
    if (event.pageIndex > this.pageIndex()) {
      if (this.nextCursor === null) return Promise.resolve();
      this.cursors[event.pageIndex] = this.nextCursor;
    }
    return this.load(event.pageIndex);
  }

  /** Loads the current page again (after a live change); never undoes a page change in flight. */
  reload(): Promise<void> {
    return this.load(this.target);
  }

  first(): Promise<void> {
    this.cursors = [undefined];
    return this.load(0);
  }

  private async load(index: number): Promise<void> {
    const generation = ++this.generation;
    this.target = index;
    this.loading.set(true);
    this.error.set(null);
    try {
      const page = await this.fetch({
        ...this.filters,
        sort: this.sort(),
        order: this.order(),
        limit: this.pageSize(),
        cursor: this.cursors[index],
      });
      // A slower, older answer must not overwrite the newer one.
      if (generation !== this.generation) return;
      this.items.set(page.items);
      this.total.set(page.total);
      this.nextCursor = page.nextCursor;
      this.pageIndex.set(index);
    } catch (error) {
      if (generation === this.generation) this.error.set(errorMessage(error));
    } finally {
      if (generation === this.generation) this.loading.set(false);
    }
  }
}
