import { ChangeDetectionStrategy, Component, booleanAttribute, input, output, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Icon } from './icon.ts';

/**
 * A drop zone with a file picker: files dropped on it or chosen are emitted as `chosen`. The
 * picker is reset after each choice, so choosing the same file again is noticed.
 */
@Component({
  selector: 'app-file-drop',
  imports: [MatButtonModule, Icon],
  template: `
    <div
      class="drop"
      [class.compact]="compact()"
      [class.dragging]="dragging()"
      (dragover)="onDragOver($event)"
      (dragleave)="dragging.set(false)"
      (drop)="onDrop($event)"
    >
      <app-icon name="upload_file" />
      <p>{{ prompt() }}</p>
      <input
        #picker
        class="visually-hidden"
        type="file"
        accept=".yaml,.yml"
        [multiple]="multiple()"
        [attr.aria-label]="label()"
        (change)="onChoose(picker)"
      />
      <button mat-stroked-button type="button" [disabled]="disabled()" (click)="picker.click()">
        {{ button() }}
      </button>
    </div>
  `,
  styles: `
    .drop {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      justify-content: center;
      gap: 12px;
      padding: 24px 16px;
      margin-bottom: 16px;
      border: 2px dashed var(--mat-sys-outline);
      border-radius: 12px;
      color: var(--mat-sys-on-surface-variant);
      --app-icon-size: 32px;
    }
    .drop.compact {
      justify-content: flex-start;
      padding: 12px 16px;
      margin: 8px 0;
      --app-icon-size: 24px;
    }
    .drop.dragging {
      border-color: var(--mat-sys-primary);
      background: var(--mat-sys-primary-container);
      color: var(--mat-sys-on-primary-container);
    }
    .drop p {
      margin: 0;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class FileDrop {
  /** The line beside the button, e.g. "Drop host YAML files here, or". */
  readonly prompt = input.required<string>();
  /** The picker's accessible name. */
  readonly label = input.required<string>();
  readonly button = input('Choose files');
  readonly multiple = input(false, { transform: booleanAttribute });
  readonly disabled = input(false, { transform: booleanAttribute });
  /** One line, for use inside a panel. */
  readonly compact = input(false, { transform: booleanAttribute });
  readonly chosen = output<File[]>();

  protected readonly dragging = signal(false);

  protected onDragOver(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(true);
  }

  protected onDrop(event: DragEvent): void {
    event.preventDefault();
    this.dragging.set(false);
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length) this.chosen.emit(this.multiple() ? files : files.slice(0, 1));
  }

  protected onChoose(picker: HTMLInputElement): void {
    const files = Array.from(picker.files ?? []);
    picker.value = '';
    if (files.length) this.chosen.emit(files);
  }
}
