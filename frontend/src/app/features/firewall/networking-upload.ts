import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { networkingDocumentSchema, type NetworkingDocument } from '@skyy/contracts';
import { Api } from '../../core/http/api.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { FileDrop } from '../../shared/file-drop.ts';
import { readText, yamlFileName } from '../../shared/read-text.ts';

/**
 * Operators upload the site's networking YAML (drop it or choose it). The server validates it
 * against the site settings and stores it only when it is valid; otherwise every finding is
 * shown as the server wrote it (`file:line: error [code] … Fix: …`).
 */
@Component({
  selector: 'app-networking-upload',
  imports: [FileDrop],
  template: `
    <app-file-drop
      prompt="Drop a networking YAML file here, or"
      label="Networking YAML file"
      button="Upload networking file"
      compact
      [disabled]="busy()"
      (chosen)="onChosen($event)"
    />
    @if (busy()) {
      <p class="muted" role="status">Checking {{ name() }}…</p>
    }
    @if (stored(); as stored) {
      <p class="status ok" role="status">Stored {{ stored.name }}: the plan below uses it.</p>
    }
    @if (error()) {
      <p class="form-error" role="alert">{{ error() }}</p>
    }
    @if (findings().length) {
      <div class="findings" aria-label="Problems in the networking file">
        @for (finding of findings(); track $index) {
          <div class="mono problem">{{ finding }}</div>
        }
      </div>
    }
  `,
  styles: `
    .problem {
      color: var(--mat-sys-error);
      white-space: pre-wrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NetworkingUpload {
  private readonly api = inject(Api);
  readonly firewallId = input.required<string>();
  /** After a file was stored: the page reloads its plan. */
  readonly uploaded = output<NetworkingDocument>();

  protected readonly busy = signal(false);
  protected readonly name = signal('');
  protected readonly stored = signal<NetworkingDocument | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly findings = signal<string[]>([]);

  protected async onChosen(files: File[]): Promise<void> {
    const [file] = files;
    if (file) await this.upload(file);
  }

  async upload(file: File): Promise<void> {
    this.stored.set(null);
    this.findings.set([]);
    this.error.set(null);
    if (!yamlFileName.test(file.name)) {
      this.error.set(`${file.name} is not a YAML file (.yaml or .yml).`);
      return;
    }
    this.name.set(file.name);
    this.busy.set(true);
    try {
      const content = await readText(file);
      const document = await this.api.put(
        `/firewalls/${this.firewallId()}/networking`,
        { name: file.name, content },
        networkingDocumentSchema,
      );
      this.stored.set(document);
      this.uploaded.emit(document);
    } catch (caught) {
      const error = ApiError.from(caught);
      const messages = error.fieldErrors.map((item) => item.message);
      this.findings.set(messages);
      this.error.set(
        error.status === 422 && messages.length
          ? `${file.name} was not stored: ${messages.length} problems.`
          : error.message,
      );
    } finally {
      this.busy.set(false);
    }
  }
}
