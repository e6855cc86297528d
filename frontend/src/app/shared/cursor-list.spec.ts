import { createEnvironmentInjector, DestroyRef, EnvironmentInjector } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { FormControl, FormGroup } from '@angular/forms';
import type { Page } from '@skyy/contracts';
import type { Query } from '../core/http/api.ts';
import { CursorList, filterDebounceMs } from './cursor-list.ts';

/** A fake API over 5 items that pages by "cursor = index of the next item". */
function fakeApi() {
  const calls: Query[] = [];
  const all = ['a', 'b', 'c', 'd', 'e'];
  const fetch = async (query: Query): Promise<Page<string>> => {
    calls.push(query);
    const start = query['cursor'] ? Number(query['cursor']) : 0;
    const limit = Number(query['limit']);
    const items = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : null;
    return { items, nextCursor: next, total: all.length };
  };
  return { calls, fetch };
}

describe('CursorList', () => {
  it('pages forward with the server cursor and back with the remembered one', async () => {
    const api = fakeApi();
    const list = new CursorList(api.fetch, { sort: 'name', pageSize: 2 });
    await list.first();
    expect(list.items()).toEqual(['a', 'b']);
    await list.page({ pageIndex: 1, previousPageIndex: 0, pageSize: 2, length: 5 });
    expect(list.items()).toEqual(['c', 'd']);
    await list.page({ pageIndex: 2, previousPageIndex: 1, pageSize: 2, length: 5 });
    expect(list.items()).toEqual(['e']);
    await list.page({ pageIndex: 1, previousPageIndex: 2, pageSize: 2, length: 5 });
    expect(list.items()).toEqual(['c', 'd']);
    expect(list.pageIndex()).toBe(1);
    expect(list.total()).toBe(5);
  });

  it('sends sort, order and filters, and starts again at the first page when they change', async () => {
    const api = fakeApi();
    const list = new CursorList(api.fetch, { sort: 'name', pageSize: 2 });
    await list.first();
    await list.page({ pageIndex: 1, previousPageIndex: 0, pageSize: 2, length: 5 });
    await list.sortBy({ active: 'createdAt', direction: 'desc' });
    expect(api.calls.at(-1)).toMatchObject({ sort: 'createdAt', order: 'desc', cursor: undefined, limit: 2 });
    expect(list.pageIndex()).toBe(0);
    await list.filter({ q: 'pu' });
    expect(api.calls.at(-1)).toMatchObject({ q: 'pu', sort: 'createdAt', cursor: undefined });
  });

  it('keeps the newest answer when an older, slower one arrives last', async () => {
    let release: (page: Page<string>) => void = () => undefined;
    let call = 0;
    const list = new CursorList<string>(
      (query) => {
        call++;
        if (call === 1) return new Promise((resolve) => (release = resolve));
        return Promise.resolve({ items: [`for ${String(query['q'])}`], nextCursor: null, total: 1 });
      },
      { sort: 'name' },
    );
    const slow = list.filter({ q: 'old' });
    await list.filter({ q: 'new' });
    release({ items: ['for old'], nextCursor: null, total: 1 });
    await slow;
    expect(list.items()).toEqual(['for new']);
  });

  it('shows the error of a failed page instead of the rows', async () => {
    const list = new CursorList<string>(() => Promise.reject(new Error('database is down')), {
      sort: 'name',
    });
    await list.first();
    expect(list.error()).toBe('database is down');
    expect(list.loading()).toBe(false);
  });

  describe('following a filter form', () => {
    afterEach(() => vi.useRealTimers());

    it('loads the form’s filters at once, then each change once typing pauses, from the first page', async () => {
      vi.useFakeTimers();
      const api = fakeApi();
      const list = new CursorList(api.fetch, { sort: 'name', pageSize: 2 });
      const form = new FormGroup({ q: new FormControl('pu', { nonNullable: true }) });
      const page = createEnvironmentInjector([], TestBed.inject(EnvironmentInjector));
      await list.followFilters(form, page.get(DestroyRef));
      expect(api.calls.at(-1)).toMatchObject({ q: 'pu', cursor: undefined });
      await list.page({ pageIndex: 1, previousPageIndex: 0, pageSize: 2, length: 5 });
      expect(list.pageIndex()).toBe(1);

      form.controls.q.setValue('pum');
      form.controls.q.setValue('puma');
      await vi.advanceTimersByTimeAsync(filterDebounceMs - 1);
      expect(api.calls).toHaveLength(2);
      await vi.advanceTimersByTimeAsync(1);
      expect(api.calls).toHaveLength(3);
      expect(api.calls.at(-1)).toMatchObject({ q: 'puma', cursor: undefined });
      expect(list.pageIndex()).toBe(0);

      // A page that is gone no longer fetches.
      page.destroy();
      form.controls.q.setValue('other');
      await vi.advanceTimersByTimeAsync(filterDebounceMs);
      expect(api.calls).toHaveLength(3);
    });
  });
});
