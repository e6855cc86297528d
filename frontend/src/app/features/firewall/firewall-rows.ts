import { ChangeDetectionStrategy, Component, computed, input, signal } from '@angular/core';
import { MatPaginatorModule, type PageEvent } from '@angular/material/paginator';
import { MatTabsModule } from '@angular/material/tabs';
import type { FirewallPlan } from '@skyy/contracts';

type Kind = 'vip' | 'nat' | 'rule' | 'dhcp';
type Row = FirewallPlan['rows'][Kind][number];

const kinds: { kind: Kind; label: string }[] = [
  { kind: 'vip', label: 'Virtual IPs' },
  { kind: 'nat', label: '1:1 NAT' },
  { kind: 'rule', label: 'Rules' },
  { kind: 'dhcp', label: 'DHCP static mappings' },
];

/** What applying does to the row, in the words of the plan. */
const stateLabel: Record<Row['status'], string> = {
  'in-sync': 'in sync',
  drifted: 'update',
  missing: 'create',
  unexpected: 'delete',
  unmanaged: 'unmanaged',
  conflict: 'conflict',
};
const stateClass: Record<Row['status'], string> = {
  'in-sync': 'ok',
  drifted: 'busy',
  missing: 'ok',
  unexpected: 'bad',
  unmanaged: 'idle',
  conflict: 'bad',
};

interface Field {
  key: string;
  value: string;
  differs: boolean;
}

interface ViewRow {
  id: string;
  key: string;
  state: string;
  stateClass: string;
  marker: 'managed' | 'unmanaged' | 'conflict';
  desired: Field[];
  actual: Field[];
  source: string | null;
  /** Lower-case text the filter matches against. */
  text: string;
}

function show(value: unknown): string {
  return value === undefined || value === null
    ? '—'
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
}

function fields(
  own: Record<string, unknown> | undefined,
  other: Record<string, unknown> | undefined,
): Field[] {
  if (!own) return [];
  return Object.entries(own).map(([key, value]) => ({
    key,
    value: show(value),
    differs: other !== undefined && show(other[key]) !== show(value),
  }));
}

function toView(row: Row): ViewRow {
  const desired = fields(row.desired, row.actual);
  const actual = fields(row.actual, row.desired);
  const source = row.source ? `${row.source.file}:${row.source.line}` : null;
  const marker = row.status === 'conflict' ? 'conflict' : row.managed ? 'managed' : 'unmanaged';
  const text = [row.key, stateLabel[row.status], marker, source ?? '']
    .concat(desired.map((field) => `${field.key} ${field.value}`))
    .concat(actual.map((field) => `${field.key} ${field.value}`))
    .join(' ')
    .toLowerCase();
  return {
    id: `${row.status}:${row.key}`,
    key: row.key,
    state: stateLabel[row.status],
    stateClass: stateClass[row.status],
    marker,
    desired,
    actual,
    source,
    text,
  };
}

/**
 * The plan's side-by-side rows: one tab per object type, the networking file's object beside
 * the firewall's, each marked managed, unmanaged or conflict, with what applying does to it.
 * Filtered on the client and shown a page at a time, so 500 rules per type stay quick.
 */
@Component({
  selector: 'app-firewall-rows',
  imports: [MatTabsModule, MatPaginatorModule],
  template: `
    <label class="filter">
      <span>Filter</span>
      <input
        #filterInput
        type="search"
        aria-label="Filter objects"
        placeholder="key, address, description, state…"
        [value]="filter()"
        (input)="setFilter(filterInput.value)"
      />
    </label>
    <nav mat-tab-nav-bar [tabPanel]="panel" mat-stretch-tabs="false" aria-label="Object types">
      @for (tab of tabs(); track tab.kind) {
        <button
          mat-tab-link
          type="button"
          [active]="tab.kind === selected()"
          [attr.data-tab]="tab.kind"
          (click)="select(tab.kind)"
        >
          {{ tab.label }} ({{ tab.shown }}{{ tab.shown === tab.total ? '' : ' of ' + tab.total }})
        </button>
      }
    </nav>
    <mat-tab-nav-panel #panel>
      @if (current(); as tab) {
        <div class="table-scroll">
          <table class="simple side-by-side" [attr.aria-label]="tab.label + ': desired and actual'">
            <thead>
              <tr>
                <th scope="col">Object</th>
                <th scope="col">State</th>
                <th scope="col">Desired (networking file)</th>
                <th scope="col">Actual (firewall)</th>
              </tr>
            </thead>
            <tbody>
              @for (row of tab.page; track row.id) {
                <tr [attr.data-kind]="tab.kind">
                  <td>
                    <span class="mono">{{ row.key }}</span>
                    <div [class]="'marker ' + row.marker">{{ row.marker }}</div>
                    @if (row.source) {
                      <div class="muted mono">{{ row.source }}</div>
                    }
                  </td>
                  <td>
                    <span class="status" [class]="row.stateClass">{{ row.state }}</span>
                  </td>
                  <td class="mono">
                    @for (field of row.desired; track field.key) {
                      <div [class.differs]="field.differs">{{ field.key }}: {{ field.value }}</div>
                    } @empty {
                      <span class="muted">—</span>
                    }
                  </td>
                  <td class="mono">
                    @for (field of row.actual; track field.key) {
                      <div [class.differs]="field.differs">{{ field.key }}: {{ field.value }}</div>
                    } @empty {
                      <span class="muted">—</span>
                    }
                  </td>
                </tr>
              } @empty {
                <tr>
                  <td colspan="4" class="muted">
                    {{ tab.total ? 'No object matches the filter.' : 'None on either side.' }}
                  </td>
                </tr>
              }
            </tbody>
          </table>
        </div>
        @if (tab.shown > pageSize()) {
          <mat-paginator
            [length]="tab.shown"
            [pageIndex]="pageIndex()"
            [pageSize]="pageSize()"
            [pageSizeOptions]="[25, 50, 100]"
            (page)="onPage($event)"
            [attr.aria-label]="tab.label + ' pages'"
          />
        }
      }
    </mat-tab-nav-panel>
  `,
  styles: `
    .filter {
      display: flex;
      align-items: center;
      gap: 8px;
      margin: 8px 0;
    }
    .filter input {
      flex: 1;
      max-width: 420px;
      padding: 6px 8px;
      font: inherit;
      border: 1px solid var(--mat-sys-outline);
      border-radius: 6px;
      background: transparent;
      color: inherit;
    }
    .side-by-side td {
      vertical-align: top;
    }
    .marker {
      font-size: 12px;
    }
    .marker.managed {
      color: var(--mat-sys-primary);
    }
    .marker.unmanaged {
      color: var(--mat-sys-on-surface-variant);
    }
    .marker.conflict {
      color: var(--mat-sys-error);
      font-weight: 600;
    }
    .differs {
      color: var(--mat-sys-error);
      font-weight: 600;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FirewallRows {
  readonly rows = input.required<FirewallPlan['rows']>();

  protected readonly filter = signal('');
  protected readonly pageIndex = signal(0);
  protected readonly pageSize = signal(50);

  /** Built once per plan: the filter and the pages only slice it. */
  private readonly views = computed(() => {
    const rows = this.rows();
    return kinds.map(({ kind, label }) => ({ kind, label, rows: (rows[kind] ?? []).map(toView) }));
  });

  protected readonly selected = signal<Kind>('vip');
  protected readonly current = computed(() => this.tabs().find((tab) => tab.kind === this.selected()));

  protected readonly tabs = computed(() => {
    const words = this.filter().toLowerCase().split(/\s+/).filter(Boolean);
    const start = this.pageIndex() * this.pageSize();
    return this.views().map(({ kind, label, rows }) => {
      const matching = words.length
        ? rows.filter((row) => words.every((word) => row.text.includes(word)))
        : rows;
      return {
        kind,
        label,
        total: rows.length,
        shown: matching.length,
        page: matching.slice(start, start + this.pageSize()),
      };
    });
  });

  protected setFilter(value: string): void {
    this.filter.set(value);
    this.pageIndex.set(0);
  }

  protected select(kind: Kind): void {
    this.selected.set(kind);
    this.pageIndex.set(0);
  }

  protected onPage(event: PageEvent): void {
    this.pageSize.set(event.pageSize);
    this.pageIndex.set(event.pageIndex);
  }
}
