import { ChangeDetectionStrategy, Component, inject, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { networkingDocumentSchema, type NetworkingDocument } from '@skyy/contracts';
import { Api } from '../../core/http/api.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { Icon } from '../../shared/icon.ts';
import { readText, yamlFileName } from '../../shared/read-text.ts';

/**
 * Operators upload the site's networking YAML (drop it or choose it). The server validates it
 * against the site settings and stores it only when it is valid; otherwise every finding is
 * shown as the server wrote it (`file:line: error [code] … Fix: …`).
 */
@Component({
  selector: 'app-networking-upload',
  imports: [MatButtonModule, Icon],
  template: `
    <div
      class="drop"
      [class.dragging]="dragging()"
      (dragover)="onDragOver($event)"
      (dragleave)="dragging.set(false)"
      (drop)="onDrop($event)"
    >
      <app-icon name="upload_file" />
      <span>Drop a networking YAML file here, or</span>
      <input
        #picker
        class="visually-hidden"
        type="file"
        accept=".yaml,.yml"
        aria-label="Networking YAML file"
        (change)="onChoose(picker)"
      />
      <button mat-stroked-button type="button" [disabled]="busy()" (click)="picker.click()">
        Upload networking file
      </button>
    </div>
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
    .drop {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: 12px;
      padding: 12px 16px;
      margin: 8px 0;
      border: 2px dashed var(--mat-sys-outline);
      border-radius: 12px;
      color: var(--mat-sys-on-surface-variant);
    }
    .drop.dragging {
      border-color: var(--mat-sys-primary);
      background: var(--mat-sys-primary-container);
      color: var(--mat-sys-on-primary-container);
    }
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

  protected readonly dragging = signal(false);
  protected readonly busy = signal(false);
  protected readonly name = signal('');
  protected readonly stored = signal<NetworkingDocument | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly findings = signal<string[]>([]);

  protected onDragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(true);
  }

  protected async onDrop(event: DragEvent): Promise<void> {
    event.preventDefault();
    this.dragging.set(false);
    const file = event.dataTransfer?.files[0];
    if (file) await this.upload(file);
  }

  protected async onChoose(picker: HTMLInputElement): Promise<void> {
    const file = picker.files?.[0];
    picker.value = '';
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
