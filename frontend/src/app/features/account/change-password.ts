import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { passwordChangeSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { applyFieldErrors, controlError } from '../../shared/field-errors.ts';

const controlFor = (path: string) =>
  path === 'currentPassword' ? 'current' : path === 'newPassword' ? 'password' : path;

@Component({
  selector: 'app-change-password',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule],
  template: `
    <header class="page-header"><h1>Change password</h1></header>
    <p class="subtitle">Your other sessions are signed out; this one stays.</p>
    <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <mat-form-field>
        <mat-label>Current password</mat-label>
        <input matInput type="password" formControlName="current" autocomplete="current-password" required />
        <mat-error>{{ errorOf('current') }}</mat-error>
      </mat-form-field>
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
      @if (done()) {
        <p role="status">Your password is changed.</p>
      }
      <div class="form-actions">
        <button mat-flat-button type="submit" [disabled]="busy()">Change password</button>
      </div>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ChangePassword {
  private readonly auth = inject(AuthApi);
  protected readonly form = inject(FormBuilder).nonNullable.group({
    current: ['', Validators.required],
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
    this.done.set(false);
    this.error.set(null);
    const { current, password, repeat } = this.form.getRawValue();
    const parsed = passwordChangeSchema.safeParse({ currentPassword: current, newPassword: password });
    if (!parsed.success || this.form.invalid) return;
    if (password !== repeat) {
      applyFieldErrors(this.form, [{ path: 'repeat', message: 'The two passwords differ' }]);
      return;
    }
    this.busy.set(true);
    try {
      await this.auth.changePassword(parsed.data);
      this.form.reset();
      this.done.set(true);
    } catch (error) {
      const problem = ApiError.from(error);
      const unplaced = applyFieldErrors(this.form, problem.fieldErrors, controlFor);
      if (!problem.fieldErrors.length || unplaced.length) this.error.set(problem.message);
    } finally {
      this.busy.set(false);
    }
  }
}
