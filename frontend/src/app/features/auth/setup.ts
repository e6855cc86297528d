import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router } from '@angular/router';
import { setupRequestSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { applyFieldErrors, controlError, zodFieldErrors } from '../../shared/field-errors.ts';
import { AuthCard } from './auth-card.ts';

/** First run: nobody exists yet, so whoever opens the console creates the administrator. */
@Component({
  selector: 'app-setup',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, AuthCard],
  template: `
    <app-auth-card title="Create the first administrator">
      <p class="muted">
        This Skyy Command has no users yet. The account you create now can invite everyone else.
      </p>
      <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
        <mat-form-field>
          <mat-label>Username</mat-label>
          <input matInput formControlName="username" autocomplete="username" required />
          <mat-error>{{ errorOf('username') }}</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>E-mail (for password resets)</mat-label>
          <input matInput type="email" formControlName="email" autocomplete="email" />
          <mat-error>{{ errorOf('email') }}</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Password</mat-label>
          <input matInput type="password" formControlName="password" autocomplete="new-password" required />
          <mat-error>{{ errorOf('password') }}</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Repeat the password</mat-label>
          <input matInput type="password" formControlName="repeat" autocomplete="new-password" required />
          <mat-error>{{ errorOf('repeat') }}</mat-error>
        </mat-form-field>
        @if (error()) {
          <p class="form-error" role="alert">{{ error() }}</p>
        }
        <div class="form-actions">
          <button mat-flat-button type="submit" [disabled]="busy()">Create administrator</button>
        </div>
      </form>
    </app-auth-card>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Setup {
  private readonly auth = inject(AuthApi);
  private readonly router = inject(Router);
  protected readonly form = inject(FormBuilder).nonNullable.group({
    username: ['', Validators.required],
    email: [''],
    password: ['', Validators.required],
    repeat: ['', Validators.required],
  });
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.auth.needsSetup().then(
      (needsSetup) => needsSetup || this.router.navigateByUrl('/login'),
      () => undefined,
    );
  }

  protected errorOf(name: string): string | null {
    return controlError(this.form.get(name));
  }

  protected async submit(): Promise<void> {
    this.form.markAllAsTouched();
    const { username, email, password, repeat } = this.form.getRawValue();
    const parsed = setupRequestSchema.safeParse({ username, password, ...(email ? { email } : {}) });
    if (!parsed.success) {
      applyFieldErrors(this.form, zodFieldErrors(parsed.error));
      return;
    }
    if (password !== repeat) {
      applyFieldErrors(this.form, [{ path: 'repeat', message: 'The two passwords differ' }]);
      return;
    }
    this.busy.set(true);
    this.error.set(null);
    try {
      await this.auth.setup(parsed.data);
      await this.router.navigateByUrl('/dashboard');
    } catch (error) {
      const problem = ApiError.from(error);
      const unplaced = applyFieldErrors(this.form, problem.fieldErrors);
      this.error.set(problem.fieldErrors.length && !unplaced.length ? null : problem.message);
    } finally {
      this.busy.set(false);
    }
  }
}
