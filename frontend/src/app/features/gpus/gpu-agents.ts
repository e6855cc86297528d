import { DOCUMENT } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, inject, signal, viewChild } from '@angular/core';
import { FormBuilder, FormGroupDirective, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import {
  gpuAgentCreatedSchema,
  gpuAgentCreateSchema,
  gpuAgentListSchema,
  type GpuAgent,
  type GpuAgentCreated,
} from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { LiveEvents } from '../../core/events/live-events.ts';
import { Api } from '../../core/http/api.ts';
import { ApiError, errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { CopyButton } from '../../shared/copy-button.ts';
import { applyFieldErrors, controlError, zodFieldErrors } from '../../shared/field-errors.ts';
import { DateTimePipe, TimeAgoPipe } from '../../shared/time.ts';
import { agentCommands } from './agent-commands.ts';
import { chassisClass, cpuTemperatureText, zoneText } from './chassis-format.ts';

/**
 * The GPU agents, one per host: whether each reports, its host's chassis fans (fail-safe stands
 * out), and (administrators) issuing a host's token, shown once with the commands that start
 * the agent with it, and revoking it.
 */
@Component({
  selector: 'app-gpu-agents',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatButtonModule,
    MatFormFieldModule,
    MatInputModule,
    CopyButton,
    DateTimePipe,
    TimeAgoPipe,
  ],
  templateUrl: './gpu-agents.html',
  styles: `
    td.failsafe {
      background: color-mix(in srgb, var(--mat-sys-error) 10%, transparent);
    }
    td.chassis .zone {
      white-space: nowrap;
    }
    /* Angular drops the whitespace between the spans: keep status, temperature and zones apart. */
    td.chassis .status,
    td.chassis .zone {
      margin-inline-end: 0.5em;
    }
    .chassis-alert {
      color: var(--mat-sys-error);
    }
    .commands pre {
      margin: 4px 0 8px;
      padding: 8px 12px;
      border-radius: 4px;
      background: var(--mat-sys-surface);
      color: var(--mat-sys-on-surface);
      white-space: pre-wrap;
      overflow-wrap: anywhere;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class GpuAgentsPage {
  private readonly api = inject(Api);
  private readonly confirm = inject(Confirm);
  private readonly origin = inject(DOCUMENT).location.origin;
  protected readonly session = inject(SessionState);
  protected readonly agents = signal<GpuAgent[] | null>(null);
  protected readonly created = signal<GpuAgentCreated | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly form = inject(FormBuilder).nonNullable.group({ host: ['', Validators.required] });
  /** Its resetForm() also forgets the submit, so the emptied field does not show "Required". */
  private readonly formDirective = viewChild(FormGroupDirective);
  protected readonly chassisClass = chassisClass;
  protected readonly cpuTemperature = cpuTemperatureText;
  protected readonly zoneText = zoneText;
  /** A heartbeat arriving while a load runs asks for one more, not one per heartbeat. */
  private loading: Promise<void> | null = null;
  private loadAgain = false;
  protected readonly commands = computed(() => {
    const created = this.created();
    return created ? agentCommands(this.origin, created.agent.host) : null;
  });

  constructor() {
    void this.load();
    // Each heartbeat changes its agent's last-seen and chassis; alerts change its status.
    const live = inject(LiveEvents);
    live.on('gpu.reading', () => void this.reload());
    live.on('gpu.alert', () => void this.reload());
  }

  private async reload(): Promise<void> {
    if (this.loading) {
      this.loadAgain = true;
      return;
    }
    this.loading = this.load();
    await this.loading;
    this.loading = null;
    if (this.loadAgain) {
      this.loadAgain = false;
      await this.reload();
    }
  }

  protected hostError(): string | null {
    return controlError(this.form.controls.host);
  }

  private async load(): Promise<void> {
    try {
      this.agents.set((await this.api.get('/gpu-agents', gpuAgentListSchema)).items);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  protected async issue(): Promise<void> {
    this.form.markAllAsTouched();
    this.error.set(null);
    const parsed = gpuAgentCreateSchema.safeParse(this.form.getRawValue());
    if (!parsed.success) {
      applyFieldErrors(this.form, zodFieldErrors(parsed.error));
      return;
    }
    this.busy.set(true);
    try {
      this.created.set(await this.api.post('/gpu-agents', parsed.data, gpuAgentCreatedSchema));
      this.formDirective()?.resetForm();
      await this.load();
    } catch (error) {
      const problem = ApiError.from(error);
      const unplaced = applyFieldErrors(this.form, problem.fieldErrors, (path) =>
        path.replace(/^body\./, ''),
      );
      if (unplaced.length || !problem.fieldErrors.length) this.error.set(problem.message);
    } finally {
      this.busy.set(false);
    }
  }

  protected async revoke(agent: GpuAgent): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Revoke the agent token of ${agent.host}?`,
      message:
        'The agent on that host is refused from its next request: no more heartbeats or central config. Its GPUs stay listed until forgotten. Issue a new token to reconnect it.',
      confirmLabel: 'Revoke token',
      destructive: true,
    });
    if (!yes) return;
    try {
      await this.api.send('DELETE', `/gpu-agents/${agent.id}`);
      if (this.created()?.agent.id === agent.id) this.created.set(null);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
    await this.load();
  }

  protected statusClass(agent: GpuAgent): 'ok' | 'bad' | 'idle' {
    return agent.status === 'ok' ? 'ok' : agent.status === 'stale' ? 'bad' : 'idle';
  }
}
