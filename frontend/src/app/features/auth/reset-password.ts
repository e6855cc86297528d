import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { FormBuilder, Validators } from '@angular/forms';
import { RouterLink } from '@angular/router';
import { passwordResetSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { authFormImports } from './auth-card.ts';

/** The page the password-reset mail links to (/reset-password?token=…). */
@Component({
  selector: 'app-reset-password',
  imports: [authFormImports, RouterLink],
  template: `
    <app-auth-card title="Choose a new password">
      @if (done()) {
        <p role="status">Your password is changed and every other session was signed out.</p>
        <a mat-flat-button routerLink="/login">Sign in</a>
      } @else if (!token()) {
        <p class="form-error" role="alert">This page needs the link from the password-reset mail.</p>
        <a mat-button routerLink="/forgot-password">Ask for a new link</a>
      } @else {
        <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
          <mat-form-field>
            <mat-label>New password</mat-label>
            <input matInput type="password" formControlName="password" autocomplete="new-password" required />
            <mat-error>{{ submission.errorOf('password') }}</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Repeat the new password</mat-label>
            <input matInput type="password" formControlName="repeat" autocomplete="new-password" required />
            <mat-error>{{ submission.errorOf('repeat') }}</mat-error>
          </mat-form-field>
          <app-form-errors [submission]="submission" />
          <div class="form-actions">
            <button mat-flat-button type="submit" [disabled]="submission.busy()">Set password</button>
            <a mat-button routerLink="/forgot-password">Ask for a new link</a>
          </div>
        </form>
      }
    </app-auth-card>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ResetPassword {
  private readonly auth = inject(AuthApi);
  readonly token = input<string>();
  protected readonly form = inject(FormBuilder).nonNullable.group({
    password: ['', Validators.required],
    repeat: ['', Validators.required],
  });
  protected readonly submission = new FormSubmission(this.form);
  protected readonly done = signal(false);

  protected async submit(): Promise<void> {
    if (!this.submission.begin()) return;
    const { password, repeat } = this.form.getRawValue();
    const data = this.submission.parse(passwordResetSchema, { token: this.token(), password });
    if (!data) return;
    if (password !== repeat) return this.submission.reject('repeat', 'The two passwords differ');
    const sent = await this.submission.send(
      () => this.auth.resetPassword(data),
      (problem) =>
        problem.status === 400 || problem.status === 404
          ? `${problem.message} The link may have been used already or expired: ask for a new one.`
          : problem.message,
    );
    if (sent) this.done.set(true);
  }
}
