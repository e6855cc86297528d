import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';

type Entry = { key: string; kind: 'object' | 'list' | 'scalar'; value: unknown; text: string };

function describe(value: unknown): Pick<Entry, 'kind' | 'text'> {
  if (Array.isArray(value)) {
    const scalars = value.every((item) => item === null || typeof item !== 'object');
    return scalars
      ? { kind: 'scalar', text: value.length ? value.map(String).join(', ') : '(none)' }
      : { kind: 'list', text: '' };
  }
  if (value !== null && typeof value === 'object') return { kind: 'object', text: '' };
  if (typeof value === 'boolean') return { kind: 'scalar', text: value ? 'yes' : 'no' };
  if (value === null || value === undefined || value === '') return { kind: 'scalar', text: '—' };
  return { kind: 'scalar', text: String(value) };
}

/** "os_disk" → "Os disk": keys of the user's YAML, made readable but still recognisable. */
export function humanKey(key: string): string {
  const spaced = key.replace(/_/g, ' ');
  return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

/**
 * Any JSON value (host settings, job results) as nested label/value lists: every field the
 * user wrote is shown, including the ones the console has no special view for.
 */
@Component({
  selector: 'app-value-tree',
  template: `
    <dl class="tree">
      @for (entry of entries(); track entry.key) {
        <dt>{{ entry.key }}</dt>
        <dd>
          @switch (entry.kind) {
            @case ('scalar') {
              <span class="mono">{{ entry.text }}</span>
            }
            @case ('object') {
              <app-value-tree [value]="entry.value" />
            }
            @case ('list') {
              <ol class="items">
                @for (item of asList(entry.value); track $index) {
                  <li><app-value-tree [value]="item" /></li>
                }
              </ol>
            }
          }
        </dd>
      } @empty {
        <dd class="muted">(empty)</dd>
      }
    </dl>
  `,
  styles: `
    .tree {
      display: grid;
      grid-template-columns: minmax(110px, max-content) 1fr;
      gap: 4px 16px;
      margin: 0;
    }
    dt {
      color: var(--mat-sys-on-surface-variant);
    }
    dd {
      margin: 0;
      overflow-wrap: anywhere;
    }
    dd > .tree {
      padding-left: 12px;
      border-left: 2px solid var(--mat-sys-outline-variant);
    }
    .items {
      margin: 0;
      padding-left: 20px;
    }
    .items > li + li {
      margin-top: 6px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ValueTree {
  readonly value = input.required<unknown>();

  protected readonly entries = computed<Entry[]>(() => {
    const value = this.value();
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return [{ key: 'value', value, ...describe(value) }];
    }
    return Object.entries(value as Record<string, unknown>).map(([key, item]) => ({
      key: humanKey(key),
      value: item,
      ...describe(item),
    }));
  });

  protected asList(value: unknown): unknown[] {
    return Array.isArray(value) ? value : [];
  }
}
