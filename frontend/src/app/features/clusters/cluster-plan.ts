import { ChangeDetectionStrategy, Component, computed, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { Router, RouterLink } from '@angular/router';
import { clusterApplySchema, clusterPlanSchema, type ClusterPlan } from '@skyy/contracts';
import { Api } from '../../core/http/api.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { Icon } from '../../shared/icon.ts';
import { FileDrop } from '../../shared/file-drop.ts';
import { mergeFilesByName, readYamlFiles } from '../../shared/read-text.ts';
import { StartedJobs } from '../jobs/jobs-api.ts';
import { VmPlanActions } from './vm-plan-actions.ts';

interface ChosenFile {
  name: string;
  content: string;
}

interface FileProblems {
  file: string;
  problems: { at: string; message: string }[];
}

const located = /^(.+?):(\d+):(\d+)$/;

/** 422 `errors[]` grouped by file (`path` = `file:line:column`); other paths (a VM, a node) under their name. */
export function problemsByFile(errors: { path: string; message: string }[]): FileProblems[] {
  const groups = new Map<string, FileProblems>();
  for (const error of errors) {
    const match = located.exec(error.path);
    const file = match?.[1] ?? (error.path || 'request');
    const at = match ? `${match[1]}:${match[2]}:${match[3]}` : error.path;
    const group = groups.get(file) ?? { file, problems: [] };
    group.problems.push({ at, message: error.message });
    groups.set(file, group);
  }
  return [...groups.values()];
}

/**
 * Plan the declared VMs of host YAML files (`vms:`) against a Proxmox cluster, read the plan,
 * then apply it as a job. Deletions and replacements are confirmed by name first.
 */
@Component({
  selector: 'app-cluster-plan',
  imports: [RouterLink, MatButtonModule, MatProgressBarModule, Icon, VmPlanActions, FileDrop],
  templateUrl: './cluster-plan.html',
  styles: `
    .options {
      display: flex;
      flex-wrap: wrap;
      gap: 16px;
      margin: 8px 0;
    }
    .rendered {
      overflow: auto;
      max-height: 480px;
      padding: 12px;
      border-radius: 8px;
      background: var(--mat-sys-surface-container);
      white-space: pre;
    }
    .problem {
      color: var(--mat-sys-error);
    }
    .form-actions {
      display: flex;
      gap: 8px;
      margin-top: 12px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ClusterPlanPage {
  private readonly api = inject(Api);
  private readonly confirm = inject(Confirm);
  private readonly router = inject(Router);
  private readonly started = inject(StartedJobs);

  readonly id = input.required<string>();
  protected readonly files = signal<ChosenFile[]>([]);
  protected readonly skipped = signal<string[]>([]);
  protected readonly allowDelete = signal(false);
  protected readonly restartWhenNeeded = signal(false);
  protected readonly plan = signal<ClusterPlan | null>(null);
  protected readonly problems = signal<FileProblems[]>([]);
  protected readonly error = signal<string | null>(null);
  protected readonly notice = signal<string | null>(null);
  protected readonly busy = signal(false);

  /** VMs a confirmation must name: deleted, or deleted and created again. */
  protected readonly destructive = computed(
    () =>
      this.plan()?.plan.actions.filter(
        (action) => action.action === 'delete' || action.action === 'replace',
      ) ?? [],
  );
  protected readonly canApply = computed(() => {
    const plan = this.plan();
    return !!plan && plan.hasChanges && plan.plan.errors.length === 0 && !this.busy();
  });

  /** Adds YAML files (same name replaces) and plans the whole set again. */
  async add(chosen: File[]): Promise<void> {
    const { files, skipped } = await readYamlFiles(chosen);
    this.skipped.set(skipped);
    this.files.set(mergeFilesByName(this.files(), files));
    if (this.files().length) await this.runPlan();
  }

  protected remove(name: string): void {
    this.files.set(this.files().filter((file) => file.name !== name));
    this.plan.set(null);
    this.problems.set([]);
    if (this.files().length) void this.runPlan();
  }

  protected setAllowDelete(value: boolean): void {
    this.allowDelete.set(value);
    if (this.files().length) void this.runPlan();
  }

  async runPlan(): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    this.notice.set(null);
    this.problems.set([]);
    try {
      this.plan.set(
        await this.api.post(
          `/clusters/${this.id()}/plan`,
          { files: this.files(), allowDelete: this.allowDelete() },
          clusterPlanSchema,
        ),
      );
    } catch (error) {
      this.plan.set(null);
      this.fail(error);
    } finally {
      this.busy.set(false);
    }
  }

  async apply(): Promise<void> {
    const plan = this.plan();
    if (!plan) return;
    const destructive = this.destructive();
    if (destructive.length) {
      const names = destructive.map((action) => `${action.name} on ${action.node} (${action.action})`);
      const yes = await this.confirm.ask({
        title: `Delete ${destructive.length} VMs?`,
        message: `Applying deletes these VMs and their disks (a replacement creates the VM again, empty): ${names.join(', ')}.`,
        confirmLabel: 'Delete and apply',
        destructive: true,
      });
      if (!yes) return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      const result = await this.api.post(
        `/clusters/${this.id()}/apply`,
        {
          files: this.files(),
          allowDelete: this.allowDelete(),
          confirmDeletes: destructive.length > 0,
          restartWhenNeeded: this.restartWhenNeeded(),
        },
        clusterApplySchema,
      );
      this.plan.set(result.plan);
      if (result.jobId) {
        this.started.remember(result.jobId);
        await this.router.navigate(['/jobs', result.jobId]);
      } else {
        this.notice.set('Nothing to change: the cluster already matches the files.');
      }
    } catch (error) {
      this.fail(error);
    } finally {
      this.busy.set(false);
    }
  }

  private fail(caught: unknown): void {
    const error = ApiError.from(caught);
    const problems = problemsByFile(error.fieldErrors);
    this.problems.set(problems);
    this.error.set(
      problems.length ? `${error.message} — fix the files below and drop them again.` : error.message,
    );
  }
}
