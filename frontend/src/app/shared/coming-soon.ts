import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { Icon } from './icon.ts';
import type { IconName } from './icons.ts';

/**
 * An area whose backend does not exist yet. It says so plainly: no invented numbers.
 * Route data gives the title, what it is for and which part of the project brings it.
 */
@Component({
  selector: 'app-coming-soon',
  imports: [Icon],
  template: `
    <header class="page-header">
      <h1>{{ title() }}</h1>
    </header>
    <section class="panel coming" aria-labelledby="coming-title">
      <app-icon [name]="icon()" />
      <h2 id="coming-title">Coming with {{ comingWith() }}</h2>
      <p>{{ purpose() }}</p>
      <p class="muted">Nothing is shown here until Skyy Command really talks to these systems.</p>
    </section>
  `,
  styles: `
    .coming {
      max-width: 640px;
      text-align: center;
      padding: 40px 24px;
      --app-icon-size: 48px;
      color: var(--mat-sys-on-surface);
    }
    h2 {
      margin-top: 12px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ComingSoon {
  readonly title = input.required<string>();
  readonly comingWith = input.required<string>();
  readonly purpose = input.required<string>();
  readonly icon = input<IconName>('build');
}
