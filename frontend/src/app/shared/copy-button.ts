import { Clipboard } from '@angular/cdk/clipboard';
import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Icon } from './icon.ts';

/** Copies a secret shown once (token, invite link) and says so. */
@Component({
  selector: 'app-copy-button',
  imports: [MatButtonModule, Icon],
  template: `
    <button mat-stroked-button type="button" (click)="copy()">
      <app-icon name="content_copy" /> {{ copied() ? 'Copied' : label() }}
    </button>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CopyButton {
  private readonly clipboard = inject(Clipboard);
  readonly text = input.required<string>();
  readonly label = input('Copy');
  protected readonly copied = signal(false);

  protected copy(): void {
    this.copied.set(this.clipboard.copy(this.text()));
  }
}
