import {
  ChangeDetectionStrategy,
  Component,
  computed,
  effect,
  inject,
  input,
  signal,
  untracked,
} from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import {
  firewallPlanSchema,
  firewallSchema,
  firewallStatusSchema,
  jobSchema,
  type Firewall,
  type FirewallStatus,
} from '@skyy/contracts';
import type * as z from 'zod';
import { SessionState } from '../../core/auth/session-state.ts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { Icon } from '../../shared/icon.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { StartedJobs } from '../jobs/jobs-api.ts';
import { FirewallRows } from './firewall-rows.ts';
import { NetworkingUpload } from './networking-upload.ts';

type Plan = z.infer<typeof firewallPlanSchema>;

/** One firewall: is it reachable and in sync, and what applying the networking file would change. */
@Component({
  selector: 'app-firewall-detail',
  imports: [RouterLink, MatButtonModule, Icon, DateTimePipe, FirewallRows, NetworkingUpload],
  templateUrl: './firewall-detail.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FirewallDetail {
  private readonly api = inject(Api);
  private readonly router = inject(Router);
  private readonly confirm = inject(Confirm);
  private readonly started = inject(StartedJobs);
  protected readonly session = inject(SessionState);

  readonly id = input.required<string>();
  protected readonly firewall = signal<Firewall | null>(null);
  protected readonly status = signal<FirewallStatus | null>(null);
  protected readonly plan = signal<Plan | null>(null);
  protected readonly planError = signal<string | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly changes = computed(() => this.plan()?.plan.changes ?? []);
  /** A first plan against an empty firewall creates thousands of objects: list 100 unless asked. */
  protected readonly allChanges = signal(false);
  protected readonly shownChanges = computed(() =>
    this.allChanges() ? this.changes() : this.changes().slice(0, 100),
  );
  protected readonly deletes = computed(() => this.changes().some((change) => change.action === 'delete'));

  constructor() {
    effect(() => {
      const id = this.id();
      untracked(() => void this.load(id));
    });
  }

  private async load(id: string): Promise<void> {
    try {
      const [firewall, status] = await Promise.all([
        this.api.get(`/firewalls/${id}`, firewallSchema),
        this.api.get(`/firewalls/${id}/status`, firewallStatusSchema, { history: 6 }),
      ]);
      this.firewall.set(firewall);
      this.status.set(status);
    } catch (error) {
      this.error.set(errorMessage(error));
      return;
    }
    await this.loadPlan(id);
  }

  /** After an upload: the firewall (networking name) and the plan against the new file. */
  protected async reload(): Promise<void> {
    const id = this.id();
    try {
      this.firewall.set(await this.api.get(`/firewalls/${id}`, firewallSchema));
    } catch (error) {
      this.error.set(errorMessage(error));
    }
    await this.loadPlan(id);
  }

  private async loadPlan(id: string): Promise<void> {
    try {
      this.plan.set(await this.api.get(`/firewalls/${id}/plan`, firewallPlanSchema));
      this.planError.set(null);
    } catch (error) {
      this.plan.set(null);
      // No site settings, no networking file or an unreachable firewall: say why there is no plan.
      this.planError.set(errorMessage(error));
    }
  }

  protected async apply(): Promise<void> {
    const plan = this.plan();
    if (!plan) return;
    const yes = await this.confirm.ask({
      title: `Apply ${this.changes().length} changes to ${this.firewall()?.name}?`,
      message: this.deletes()
        ? 'The plan deletes objects Skyy Command manages on this firewall. They are removed from pfSense.'
        : 'The changes are written through the pfSense API, step by step; the job log shows each.',
      confirmLabel: 'Apply',
      destructive: this.deletes(),
    });
    if (!yes) return;
    this.busy.set(true);
    try {
      const job = await this.api.post(
        `/firewalls/${this.id()}/apply`,
        { confirmDeletes: this.deletes() },
        jobSchema,
      );
      this.started.remember(job.id);
      await this.router.navigate(['/jobs', job.id]);
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }

  protected value(value: unknown): string {
    return value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value);
  }
}
