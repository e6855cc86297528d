import { ChangeDetectionStrategy, Component, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { RouterLink } from '@angular/router';
import { passwordResetSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { applyFieldErrors, controlError } from '../../shared/field-errors.ts';
import { AuthCard } from './auth-card.ts';

/** The page the password-reset mail links to (/reset-password?token=…). */
@Component({
  selector: 'app-reset-password',
  imports: [ReactiveFormsModule, RouterLink, MatFormFieldModule, MatInputModule, MatButtonModule, AuthCard],
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
            <mat-error>{{ errorOf('password') }}</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Repeat the new password</mat-label>
            <input matInput type="password" formControlName="repeat" autocomplete="new-password" required />
            <mat-error>{{ errorOf('repeat') }}</mat-error>
          </mat-form-field>
          @if (error()) {
            <p class="form-error" role="alert">{{ error() }}</p>
          }
          <div class="form-actions">
            <button mat-flat-button type="submit" [disabled]="busy()">Set password</button>
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
  protected readonly busy = signal(false);
  protected readonly done = signal(false);
  protected readonly error = signal<string | null>(null);

  protected errorOf(name: string): string | null {
    return controlError(this.form.get(name));
  }

  protected async submit(): Promise<void> {
    this.form.markAllAsTouched();
    const { password, repeat } = this.form.getRawValue();
    const parsed = passwordResetSchema.safeParse({ token: this.token(), password });
    if (!parsed.success || this.form.invalid) return;
    if (password !== repeat) {
      applyFieldErrors(this.form, [{ path: 'repeat', message: 'The two passwords differ' }]);
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.resetPassword(parsed.data);
      this.done.set(true);
    } catch (error) {
      const problem = ApiError.from(error);
      const unplaced = applyFieldErrors(this.form, problem.fieldErrors);
      this.error.set(
        problem.fieldErrors.length && !unplaced.length
          ? null
          : problem.status === 400 || problem.status === 404
            ? `${problem.message} The link may have been used already or expired: ask for a new one.`
            : problem.message,
      );
    } finally {
      this.busy.set(false);
    }
  }
}
