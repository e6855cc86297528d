import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import type { VmPlanJson } from '@skyy/contracts';
import * as z from 'zod';

/**
 * The details `planToJson` keeps on each action (the contract leaves actions open): read here
 * with small schemas so a detail the console does not know is simply not shown.
 */
const fieldChange = z.object({
  key: z.string(),
  from: z.string().optional().nullable(),
  to: z.string().optional().nullable(),
  rebootRequired: z.boolean().default(false),
});
export const updateDetails = z.object({
  vmid: z.number().optional(),
  migrateFrom: z.string().optional().nullable(),
  running: z.boolean().optional(),
  changes: z.array(fieldChange).default([]),
  resizes: z.array(z.object({ disk: z.string(), fromGiB: z.number(), toGiB: z.number() })).default([]),
  powerOn: z.boolean().optional(),
  rebootRequired: z.boolean().optional(),
});
const createSource = z
  .object({
    kind: z.string(),
    template: z.object({ name: z.string(), vmid: z.number() }).optional(),
    iso: z.string().optional().nullable(),
  })
  .optional();
export const otherDetails = z.object({
  vmid: z.number().optional().nullable(),
  running: z.boolean().optional(),
  reasons: z.array(z.string()).default([]),
  reason: z.string().optional(),
  source: createSource,
  create: z.object({ source: createSource }).optional(),
});

type Action = VmPlanJson['actions'][number];

export interface ActionView {
  action: Action['action'];
  name: string;
  node: string;
  vmid: number | null;
  /** One line per change, field by field. */
  lines: { text: string; restart: boolean }[];
  restartNeeded: boolean;
}

function sourceText(source: z.infer<typeof createSource>): string | null {
  if (!source) return null;
  if (source.kind === 'clone' && source.template)
    return `clone of ${source.template.name} (${source.template.vmid})`;
  if (source.kind === 'fresh') return source.iso ? `new VM from ${source.iso}` : 'new VM';
  return null;
}

export function describeAction(action: Action): ActionView {
  const base = { action: action.action, name: action.name, node: action.node };
  if (action.action === 'update') {
    const details = updateDetails.safeParse(action);
    const update = details.success ? details.data : null;
    const lines = [
      ...(update?.migrateFrom ? [{ text: `moves from node ${update.migrateFrom}`, restart: false }] : []),
      ...(update?.changes ?? []).map((change) => ({
        text:
          change.from === undefined || change.from === null
            ? `${change.key}: add ${change.to ?? ''}`
            : change.to === undefined || change.to === null
              ? `${change.key}: remove ${change.from}`
              : `${change.key}: ${change.from} → ${change.to}`,
        restart: change.rebootRequired,
      })),
      ...(update?.resizes ?? []).map((resize) => ({
        text: `${resize.disk}: grow ${resize.fromGiB} → ${resize.toGiB} GiB`,
        restart: false,
      })),
      ...(update?.powerOn ? [{ text: 'start the VM', restart: false }] : []),
    ];
    return {
      ...base,
      vmid: update?.vmid ?? null,
      lines,
      restartNeeded: !!update?.rebootRequired || lines.some((line) => line.restart),
    };
  }
  const details = otherDetails.safeParse(action);
  const other = details.success ? details.data : null;
  const lines: string[] = [];
  if (action.action === 'create') lines.push(sourceText(other?.source) ?? 'new VM');
  if (action.action === 'replace') {
    lines.push(...(other?.reasons ?? []));
    const source = sourceText(other?.create?.source);
    if (source) lines.push(`recreated as ${source}`);
  }
  if (action.action === 'delete') lines.push(other?.running ? 'running: stopped, then deleted' : 'deleted');
  if (action.action === 'keep' && other?.reason) lines.push(other.reason);
  return {
    ...base,
    vmid: other?.vmid ?? null,
    lines: lines.map((text) => ({ text, restart: false })),
    restartNeeded: false,
  };
}

const actionClass: Record<Action['action'], string> = {
  create: 'ok',
  update: 'busy',
  replace: 'bad',
  delete: 'bad',
  keep: 'idle',
  unchanged: 'idle',
};

/** A VM plan as a list: creates, updates field by field (restart needed marked), replaces, deletes, errors. */
@Component({
  selector: 'app-vm-plan-actions',
  imports: [RouterLink],
  template: `
    @for (issue of errors(); track $index) {
      <p class="alert-line form-error">
        <strong>error</strong>
        @if (issue.vm || issue.node) {
          <span class="mono">{{ issue.vm ?? issue.node }}</span>
        }
        <span>{{ issue.message }}</span>
      </p>
    }
    @for (issue of warnings(); track $index) {
      <p class="alert-line">
        <strong>warning</strong>
        @if (issue.vm || issue.node) {
          <span class="mono">{{ issue.vm ?? issue.node }}</span>
        }
        <span>{{ issue.message }}</span>
      </p>
    }
    @if (actions().length) {
      <div class="table-scroll">
        <table class="simple" aria-label="VM changes">
          <thead>
            <tr>
              <th scope="col">Action</th>
              <th scope="col">VM</th>
              <th scope="col">Node</th>
              <th scope="col">Changes</th>
            </tr>
          </thead>
          <tbody>
            @for (item of actions(); track item.node + '/' + item.name + item.action) {
              <tr [attr.data-action]="item.action">
                <td>
                  <span class="status" [class]="classOf(item.action)">{{ item.action }}</span>
                  @if (item.restartNeeded) {
                    <div class="restart">restart needed</div>
                  }
                </td>
                <td>
                  <!-- A create's VMID is only declared: there is no VM to show yet. -->
                  @if (item.vmid !== null && item.action !== 'create' && clusterId(); as clusterId) {
                    <a [routerLink]="['/clusters', clusterId, 'guests', item.vmid]">{{ item.name }}</a>
                  } @else {
                    {{ item.name }}
                  }
                  @if (item.vmid !== null) {
                    <span class="muted mono">{{ item.vmid }}</span>
                  }
                </td>
                <td>{{ item.node }}</td>
                <td class="mono">
                  @for (line of item.lines; track $index) {
                    <div>
                      {{ line.text }}
                      @if (line.restart) {
                        <span class="restart">(after restart)</span>
                      }
                    </div>
                  }
                </td>
              </tr>
            }
          </tbody>
        </table>
      </div>
    }
  `,
  styles: `
    .restart {
      color: var(--mat-sys-error);
      font-size: 12px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class VmPlanActions {
  readonly plan = input.required<VmPlanJson>();
  /** Only this node's VMs (a host page); every node when null. */
  readonly node = input<string | null>(null);
  /** Links each existing VM to its page (/clusters/:id/guests/:vmid) when set. */
  readonly clusterId = input<string | null>(null);

  private readonly onNode = (item: { node?: string | null | undefined }) => {
    const node = this.node();
    return node === null || (item.node ?? '').toLowerCase() === node.toLowerCase();
  };

  /** Everything but unchanged VMs, in the plan's order. */
  readonly actions = computed(() =>
    this.plan()
      .actions.filter((action) => action.action !== 'unchanged' && this.onNode(action))
      .map(describeAction),
  );
  protected readonly errors = computed(() =>
    this.plan().errors.filter((issue) => this.node() === null || !issue.node || this.onNode(issue)),
  );
  protected readonly warnings = computed(() =>
    this.plan().warnings.filter((issue) => this.node() === null || !issue.node || this.onNode(issue)),
  );

  protected classOf(action: Action['action']): string {
    return actionClass[action];
  }
}
