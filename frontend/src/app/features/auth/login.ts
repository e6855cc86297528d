import { ChangeDetectionStrategy, Component, inject, input } from '@angular/core';
import { FormBuilder, Validators } from '@angular/forms';
import { Router, RouterLink } from '@angular/router';
import { loginRequestSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { homeFor, safeReturnTo } from '../../core/auth/guards.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { authFormImports } from './auth-card.ts';

@Component({
  selector: 'app-login',
  imports: [authFormImports, RouterLink],
  template: `
    <app-auth-card title="Sign in">
      @if (expired()) {
        <p class="notice" role="status">Your session has ended. Sign in again to continue.</p>
      }
      <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
        <mat-form-field>
          <mat-label>Username or e-mail</mat-label>
          <input matInput formControlName="username" autocomplete="username" required />
          <mat-error>Enter your username or e-mail address</mat-error>
        </mat-form-field>
        <mat-form-field>
          <mat-label>Password</mat-label>
          <input
            matInput
            type="password"
            formControlName="password"
            autocomplete="current-password"
            required
          />
          <mat-error>Enter your password</mat-error>
        </mat-form-field>
        <app-form-errors [submission]="submission" />
        <div class="form-actions">
          <button mat-flat-button type="submit" [disabled]="submission.busy()">Sign in</button>
          <a mat-button routerLink="/forgot-password">Forgot password?</a>
        </div>
      </form>
    </app-auth-card>
  `,
  styles: `
    .notice {
      padding: 8px 12px;
      border-radius: 8px;
      background: var(--mat-sys-secondary-container);
      color: var(--mat-sys-on-secondary-container);
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Login {
  private readonly auth = inject(AuthApi);
  private readonly session = inject(SessionState);
  private readonly router = inject(Router);

  /** Query parameters, bound by the router. */
  readonly returnTo = input<string>();
  readonly expired = input<string>();

  protected readonly form = inject(FormBuilder).nonNullable.group({
    username: ['', Validators.required],
    password: ['', Validators.required],
  });
  protected readonly submission = new FormSubmission(this.form);

  constructor() {
    // A fresh install has nobody to sign in as: offer the first-run page instead.
    void this.auth.needsSetup().then(
      (needsSetup) => needsSetup && this.router.navigateByUrl('/setup'),
      () => undefined,
    );
  }

  protected async submit(): Promise<void> {
    if (!this.submission.begin()) return;
    const data = this.submission.parse(loginRequestSchema, this.form.getRawValue());
    if (!data) return;
    await this.submission.send(
      async () => {
        await this.auth.login(data);
        await this.router.navigateByUrl(safeReturnTo(this.returnTo()) ?? homeFor(this.session.role()));
      },
      (problem) => (problem.status === 401 ? 'The username or password is not right.' : problem.message),
    );
  }
}
