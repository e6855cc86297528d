import { ChangeDetectionStrategy, Component, input } from '@angular/core';
import { ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { FormErrors } from '../../shared/form-errors.ts';

/** The calm, centred frame of the pages shown before signing in. */
@Component({
  selector: 'app-auth-card',
  template: `
    <main class="auth-page">
      <section class="card" [attr.aria-labelledby]="'auth-title'">
        <div class="brand"><img src="favicon.svg" alt="" width="32" height="32" /> Skyy Command</div>
        <h1 id="auth-title">{{ title() }}</h1>
        <ng-content />
      </section>
    </main>
  `,
  styles: `
    .auth-page {
      min-height: 100dvh;
      display: grid;
      place-items: center;
      padding: 16px;
      box-sizing: border-box;
      background: var(--mat-sys-surface-container-low);
    }
    .card {
      width: min(420px, 100%);
      box-sizing: border-box;
      padding: 32px 28px 24px;
      border-radius: 16px;
      background: var(--mat-sys-surface);
      border: 1px solid var(--mat-sys-outline-variant);
    }
    .brand {
      display: flex;
      align-items: center;
      gap: 10px;
      font: var(--mat-sys-title-medium);
      color: var(--mat-sys-on-surface-variant);
    }
    h1 {
      font: var(--mat-sys-headline-small);
      margin: 16px 0 20px;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class AuthCard {
  readonly title = input.required<string>();
}

/** What every page before signing in builds its form from: this card, Material fields, the form's errors. */
export const authFormImports = [
  ReactiveFormsModule,
  MatFormFieldModule,
  MatInputModule,
  MatButtonModule,
  AuthCard,
  FormErrors,
];
