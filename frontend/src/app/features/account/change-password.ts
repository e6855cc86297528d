import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { passwordChangeSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';

const controlFor = (path: string) =>
  path === 'currentPassword' ? 'current' : path === 'newPassword' ? 'password' : path;

@Component({
  selector: 'app-change-password',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, FormErrors],
  template: `
    <header class="page-header"><h1>Change password</h1></header>
    <p class="subtitle">Your other sessions are signed out; this one stays.</p>
    <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <mat-form-field>
        <mat-label>Current password</mat-label>
        <input matInput type="password" formControlName="current" autocomplete="current-password" required />
        <mat-error>{{ submission.errorOf('current') }}</mat-error>
      </mat-form-field>
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
      @if (done()) {
        <p role="status">Your password is changed.</p>
      }
      <div class="form-actions">
        <button mat-flat-button type="submit" [disabled]="submission.busy()">Change password</button>
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
  protected readonly submission = new FormSubmission(this.form, controlFor);
  protected readonly done = signal(false);

  protected async submit(): Promise<void> {
    this.done.set(false);
    if (!this.submission.begin()) return;
    const { current, password, repeat } = this.form.getRawValue();
    const data = this.submission.parse(passwordChangeSchema, {
      currentPassword: current,
      newPassword: password,
    });
    if (!data) return;
    if (password !== repeat) return this.submission.reject('repeat', 'The two passwords differ');
    await this.submission.send(async () => {
      await this.auth.changePassword(data);
      this.form.reset();
      this.done.set(true);
    });
  }
}
