import { ChangeDetectionStrategy, Component, computed, inject, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { RouterLink } from '@angular/router';
import type { HostImportResult } from '@skyy/contracts';
import { errorMessage } from '../../core/http/api-error.ts';
import { FileDrop } from '../../shared/file-drop.ts';
import { mergeFilesByName, readYamlFiles } from '../../shared/read-text.ts';
import { HostsApi } from './hosts-api.ts';

interface ChosenFile {
  name: string;
  content: string;
}

/**
 * Import the user's host YAML files: drop them (or choose them), check them without writing
 * (dry run), then apply. Every file gets its own result, with line:column for each problem.
 */
@Component({
  selector: 'app-host-import',
  imports: [RouterLink, MatButtonModule, MatProgressBarModule, FileDrop],
  templateUrl: './host-import.html',
  styleUrl: './host-import.css',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class HostImport {
  private readonly hosts = inject(HostsApi);

  protected readonly files = signal<ChosenFile[]>([]);
  protected readonly skipped = signal<string[]>([]);
  protected readonly report = signal<HostImportResult | null>(null);
  /** Whether the report on screen is from a dry run (then "Import" applies it). */
  protected readonly checked = signal(false);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  protected readonly invalidCount = computed(
    () => this.report()?.files.filter((file) => file.status === 'invalid').length ?? 0,
  );
  protected readonly canApply = computed(
    () => this.checked() && this.report() !== null && this.invalidCount() === 0 && !this.busy(),
  );

  /** Adds YAML files (a file of the same name is replaced) and checks the whole set again. */
  async add(chosen: File[]): Promise<void> {
    const { files, skipped } = await readYamlFiles(chosen);
    this.skipped.set(skipped);
    this.files.set(mergeFilesByName(this.files(), files));
    if (this.files().length) await this.run(true);
  }

  protected clear(): void {
    this.files.set([]);
    this.report.set(null);
    this.skipped.set([]);
    this.checked.set(false);
    this.error.set(null);
  }

  async run(dryRun: boolean): Promise<void> {
    this.busy.set(true);
    this.error.set(null);
    try {
      this.report.set(await this.hosts.import(this.files(), dryRun));
      this.checked.set(dryRun);
    } catch (error) {
      this.error.set(errorMessage(error));
    } finally {
      this.busy.set(false);
    }
  }
}
