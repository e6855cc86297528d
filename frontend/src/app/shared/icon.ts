import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { iconPaths, type IconName } from './icons.ts';

/** An inline SVG icon; decorative unless given a label, so screen readers hear the text beside it. */
@Component({
  selector: 'app-icon',
  template: `<svg
    viewBox="0 -960 960 960"
    width="24"
    height="24"
    fill="currentColor"
    focusable="false"
    [attr.aria-hidden]="label() ? null : 'true'"
    [attr.role]="label() ? 'img' : null"
    [attr.aria-label]="label()"
  >
    <path [attr.d]="path()" />
  </svg>`,
  styles: `
    :host {
      display: inline-flex;
      width: var(--app-icon-size, 24px);
      height: var(--app-icon-size, 24px);
      flex: none;
      vertical-align: middle;
    }
    svg {
      width: 100%;
      height: 100%;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Icon {
  readonly name = input.required<IconName>();
  readonly label = input<string | null>(null);
  protected readonly path = computed(() => iconPaths[this.name()]);
}
