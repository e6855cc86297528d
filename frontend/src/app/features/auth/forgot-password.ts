import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { passwordForgotSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { authFormImports } from './auth-card.ts';

@Component({
  selector: 'app-forgot-password',
  imports: [authFormImports, RouterLink],
  template: `
    <app-auth-card title="Forgot your password?">
      @if (sent()) {
        <p role="status">
          If an account with that name or address exists, a link to choose a new password is on its way. The
          link works once, for 30 minutes.
        </p>
        <a mat-button routerLink="/login">Back to sign in</a>
      } @else {
        <p class="muted">
          Give your username or e-mail address; we mail you a link to choose a new password.
        </p>
        <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
          <mat-form-field>
            <mat-label>Username or e-mail</mat-label>
            <input matInput formControlName="who" autocomplete="username" required />
            <mat-error>Enter your username or e-mail address</mat-error>
          </mat-form-field>
          <app-form-errors [submission]="submission" />
          <div class="form-actions">
            <button mat-flat-button type="submit" [disabled]="submission.busy()">Send the link</button>
            <a mat-button routerLink="/login">Back to sign in</a>
          </div>
        </form>
      }
    </app-auth-card>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ForgotPassword {
  private readonly auth = inject(AuthApi);
  protected readonly form = inject(FormBuilder).nonNullable.group({ who: ['', Validators.required] });
  protected readonly submission = new FormSubmission(this.form);
  protected readonly sent = signal(false);

  protected async submit(): Promise<void> {
    if (!this.submission.begin()) return;
    const who = this.form.getRawValue().who.trim();
    const data = this.submission.parse(
      passwordForgotSchema,
      who.includes('@') ? { email: who } : { username: who },
    );
    if (!data) return;
    if (await this.submission.send(() => this.auth.forgotPassword(data))) this.sent.set(true);
  }
}
