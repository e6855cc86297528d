import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import type { Page } from '@skyy/contracts';
import type { Query } from '../core/http/api.ts';
import { settle } from '../../testing/settle.ts';
import { CursorList } from './cursor-list.ts';
import { CursorTable } from './cursor-table.ts';

const names = ['ant', 'bee', 'cat', 'dog', 'eel'];
const calls: Query[] = [];
let failWith: string | null = null;

/** A server over five names that sorts and pages by "cursor = index of the next item". */
async function fetchNames(query: Query): Promise<Page<{ name: string }>> {
  calls.push(query);
  if (failWith) throw new Error(failWith);
  const sorted = query['order'] === 'desc' ? [...names].reverse() : names;
  const start = query['cursor'] ? Number(query['cursor']) : 0;
  const limit = Number(query['limit']);
  const next = start + limit < sorted.length ? String(start + limit) : null;
  return { items: sorted.slice(start, start + limit).map((name) => ({ name })), nextCursor: next, total: 5 };
}

@Component({
  imports: [CursorTable, MatTableModule, MatSortModule],
  template: `
    <app-cursor-table
      [list]="list"
      [columns]="['name']"
      label="Animals"
      noun="animals"
      empty="No animals yet."
      [message]="message()"
    >
      <ng-container matColumnDef="name">
        <th mat-header-cell *matHeaderCellDef mat-sort-header>Name</th>
        <td mat-cell *matCellDef="let animal">{{ animal.name }}</td>
      </ng-container>
    </app-cursor-table>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
class AnimalList {
  readonly list = new CursorList(fetchNames, { sort: 'name', pageSize: 2 });
  readonly message = signal<string | null>(null);
}

describe('CursorTable', () => {
  beforeEach(() => {
    calls.length = 0;
    failWith = null;
  });

  async function render() {
    const fixture = TestBed.createComponent(AnimalList);
    await fixture.componentInstance.list.first();
    await settle(fixture);
    const element: HTMLElement = fixture.nativeElement;
    const rows = () =>
      [...element.querySelectorAll('td.mat-mdc-cell')].map((cell) => cell.textContent?.trim());
    const click = async (selector: string) => {
      element.querySelector<HTMLElement>(selector)!.click();
      await settle(fixture);
    };
    return { fixture, element, rows, click };
  }

  it('shows the rows of the page and moves forward and back with the paginator', async () => {
    const table = await render();
    expect(table.rows()).toEqual(['ant', 'bee']);
    expect(table.element.querySelector('table')?.getAttribute('aria-label')).toBe('Animals');
    expect(table.element.querySelector('.mat-mdc-paginator-range-label')?.textContent).toContain(
      '1 – 2 of 5',
    );
    await table.click('button[aria-label="Next page"]');
    expect(table.rows()).toEqual(['cat', 'dog']);
    await table.click('button[aria-label="Next page"]');
    expect(table.rows()).toEqual(['eel']);
    await table.click('button[aria-label="Previous page"]');
    expect(table.rows()).toEqual(['cat', 'dog']);
    expect(calls.at(-1)).toMatchObject({ cursor: '2' });
  });

  it('sorts on the server from the column header and starts again at the first page', async () => {
    const table = await render();
    await table.click('button[aria-label="Next page"]');
    expect(table.rows()).toEqual(['cat', 'dog']);
    // Sorted ascending by name already: one click on its header turns it to descending.
    await table.click('th[mat-sort-header] .mat-sort-header-container');
    expect(calls.at(-1)).toMatchObject({ sort: 'name', order: 'desc', cursor: undefined });
    expect(table.rows()).toEqual(['eel', 'dog']);
    expect(table.element.querySelector('th')?.getAttribute('aria-sort')).toBe('descending');
  });

  it('says the list is empty, or why it failed, or the page’s own error', async () => {
    failWith = 'database is down';
    const table = await render();
    expect(table.element.querySelector('[role="alert"]')?.textContent).toContain('database is down');
    expect(table.element.querySelector('td.empty')?.textContent).toContain('No animals yet.');
    table.fixture.componentInstance.message.set('could not start the job');
    await settle(table.fixture);
    expect(table.element.querySelector('[role="alert"]')?.textContent).toContain('could not start the job');
  });
});
