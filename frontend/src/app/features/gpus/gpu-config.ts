import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  type ElementRef,
  inject,
  input,
  signal,
  untracked,
  viewChild,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { RouterLink } from '@angular/router';
import { gpuAgentListSchema, gpuConfigSchema, type GpuConfig } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Api } from '../../core/http/api.ts';
import { ApiError, errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { offsetOf, positionOf, yamlProblems, type YamlProblem } from './yaml-problems.ts';

/**
 * The gpu_config.yaml the agents run with: the fleet default, or one host's (its own, or the
 * default it inherits). Operators edit it here; the server checks it with the agent's own
 * schema and names each problem's line, and agents pick a saved one up at their next poll.
 */
@Component({
  selector: 'app-gpu-config',
  imports: [RouterLink, MatButtonModule, DateTimePipe],
  templateUrl: './gpu-config.html',
  styles: `
    .scopes {
      display: flex;
      flex-wrap: wrap;
      gap: 6px;
      margin-bottom: 16px;
      a[aria-current='page'] {
        background: var(--mat-sys-primary);
        color: var(--mat-sys-on-primary);
      }
    }
    .yaml-editor {
      box-sizing: border-box;
      width: 100%;
      min-height: 24em;
      padding: 8px 12px;
      line-height: 1.5;
      tab-size: 2;
      resize: vertical;
      border: 1px solid var(--mat-sys-outline);
      border-radius: 8px;
      background: var(--mat-sys-surface-container-lowest);
      color: var(--mat-sys-on-surface);
      &[readonly] {
        background: var(--mat-sys-surface-container);
      }
    }
    .editor-status {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 8px;
      margin: 4px 0 12px;
    }
    .problems {
      margin: 0 0 12px;
      padding-left: 20px;
      color: var(--mat-sys-error);
      button {
        font: inherit;
        color: inherit;
        background: none;
        border: 0;
        padding: 0;
        text-align: left;
        text-decoration: underline;
        cursor: pointer;
      }
    }
    .form-actions {
      display: flex;
      flex-wrap: wrap;
      gap: 8px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GpuConfigPage {
  private readonly api = inject(Api);
  private readonly confirm = inject(Confirm);
  protected readonly session = inject(SessionState);
  private readonly editor = viewChild<ElementRef<HTMLTextAreaElement>>('editor');

  /** From the route: absent for the fleet default. */
  readonly host = input<string | undefined>(undefined);

  protected readonly hosts = signal<string[]>([]);
  protected readonly config = signal<GpuConfig | null>(null);
  /** 404: no config here yet (for a host: neither its own nor a fleet default). */
  protected readonly missing = signal(false);
  /** A host that inherits the default shows it read-only until an operator overrides it. */
  protected readonly overriding = signal(false);
  protected readonly text = signal('');
  private readonly original = signal('');
  protected readonly problems = signal<YamlProblem[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly saved = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly loaded = signal(false);
  protected readonly cursor = signal({ line: 1, column: 1 });

  protected readonly inherits = computed(
    () => this.host() !== undefined && this.config()?.scope === 'default',
  );
  protected readonly editable = computed(
    () => this.session.canEdit() && this.loaded() && (!this.inherits() || this.overriding()),
  );
  protected readonly dirty = computed(() => this.text() !== this.original());
  protected readonly placed = computed(() => this.problems().filter((p) => p.line !== null));
  protected readonly heading = computed(() => {
    const host = this.host();
    return host ? `gpu_config.yaml of ${host}` : 'Fleet default gpu_config.yaml';
  });

  constructor() {
    void this.loadHosts();
    effect(() => {
      const host = this.host();
      untracked(() => void this.load(host));
    });
  }

  private async loadHosts(): Promise<void> {
    try {
      const agents = await this.api.get('/gpu-agents', gpuAgentListSchema);
      this.hosts.set(agents.items.map((agent) => agent.host).sort());
    } catch {
      // The host links are a shortcut; the agents page says what went wrong with the list.
    }
  }

  private async load(host: string | undefined): Promise<void> {
    this.loaded.set(false);
    this.overriding.set(false);
    this.problems.set([]);
    this.saved.set(null);
    this.error.set(null);
    try {
      const config = await this.api.get(this.path(host), gpuConfigSchema);
      this.show(config);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.config.set(null);
        this.missing.set(true);
        this.setText('');
      } else {
        this.error.set(errorMessage(error));
        return;
      }
    }
    this.loaded.set(true);
  }

  private show(config: GpuConfig): void {
    this.config.set(config);
    this.missing.set(false);
    this.setText(config.yaml);
  }

  private setText(text: string): void {
    this.text.set(text);
    this.original.set(text);
  }

  private path(host: string | undefined): string {
    return host === undefined ? '/gpus/config' : `/gpus/config/${encodeURIComponent(host)}`;
  }

  protected onInput(event: Event): void {
    this.text.set((event.target as HTMLTextAreaElement).value);
    this.saved.set(null);
    this.trackCursor(event);
  }

  protected trackCursor(event: Event): void {
    const area = event.target as HTMLTextAreaElement;
    this.cursor.set(positionOf(area.value, area.selectionStart));
  }

  /** Starts a config of the host's own from the default it inherits. */
  protected override(): void {
    this.overriding.set(true);
    this.original.set('');
    queueMicrotask(() => this.editor()?.nativeElement.focus());
  }

  protected discard(): void {
    const config = this.config();
    this.overriding.set(false);
    this.problems.set([]);
    this.setText(config?.yaml ?? '');
  }

  protected async save(): Promise<void> {
    this.problems.set([]);
    this.error.set(null);
    this.saved.set(null);
    if (!this.text().trim()) {
      this.error.set('The config is empty: write the YAML first.');
      return;
    }
    this.busy.set(true);
    const host = this.host();
    try {
      const config = await this.api.put(this.path(host), { yaml: this.text() }, gpuConfigSchema);
      this.overriding.set(false);
      this.show(config);
      this.saved.set(
        host === undefined
          ? 'Saved. Every agent without a config of its own gets it within seconds, without a restart (older agents at their next poll, within 60 s).'
          : `Saved. The agent on ${host} gets it within seconds, without a restart (an older agent at its next poll, within 60 s).`,
      );
    } catch (error) {
      const problem = ApiError.from(error);
      const problems = problem.status === 422 ? yamlProblems(problem.fieldErrors) : [];
      this.problems.set(problems);
      this.error.set(problem.message);
      const first = problems.find((p) => p.line !== null);
      if (first) queueMicrotask(() => this.jumpTo(first));
    } finally {
      this.busy.set(false);
    }
  }

  protected async revert(host: string): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Revert ${host} to the fleet default?`,
      message: `The config of its own is deleted; the agent on ${host} switches to the fleet default within seconds (an older agent at its next poll, within 60 s).`,
      confirmLabel: 'Revert to fleet default',
      destructive: true,
    });
    if (!yes) return;
    this.busy.set(true);
    try {
      await this.api.send('DELETE', this.path(host));
      await this.load(host);
      this.saved.set(`${host} now runs with the fleet default (within seconds; older agents within 60 s).`);
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  /** Puts the cursor on a problem and scrolls it into view. */
  protected jumpTo(problem: YamlProblem): void {
    const area = this.editor()?.nativeElement;
    if (!area || problem.line === null) return;
    const offset = offsetOf(area.value, problem.line, problem.column ?? 1);
    area.focus();
    area.setSelectionRange(offset, offset);
    // Scroll only when the line is out of sight, and then put it a third of the way down.
    const lineHeight = Number.parseFloat(getComputedStyle(area).lineHeight) || 20;
    const top = (problem.line - 1) * lineHeight;
    if (top < area.scrollTop || top + lineHeight > area.scrollTop + area.clientHeight)
      area.scrollTop = Math.max(0, top - area.clientHeight / 3);
    this.cursor.set(positionOf(area.value, offset));
  }
}
