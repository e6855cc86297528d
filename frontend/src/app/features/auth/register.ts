import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { registerRequestSchema, type InvitePreview } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { homeFor } from '../../core/auth/guards.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { AuthCard } from './auth-card.ts';

/** Creating an account from an invite link (/register?invite=…). */
@Component({
  selector: 'app-register',
  imports: [
    ReactiveFormsModule,
    RouterLink,
    MatFormFieldModule,
    MatInputModule,
    MatButtonModule,
    AuthCard,
    DateTimePipe,
    FormErrors,
  ],
  template: `
    <app-auth-card title="Create your account">
      @if (inviteError()) {
        <p class="form-error" role="alert">{{ inviteError() }}</p>
        <a mat-button routerLink="/login">Go to sign in</a>
      } @else {
        @if (preview(); as invite) {
          <p class="muted">
            You were invited as <strong>{{ invite.role }}</strong>
            @if (invite.customerName) {
              for <strong>{{ invite.customerName }}</strong>
            }
            . The invite is valid until {{ invite.expiresAt | dateTime }}.
          </p>
        }
        <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
          <mat-form-field>
            <mat-label>Username</mat-label>
            <input matInput formControlName="username" autocomplete="username" required />
            <mat-error>{{ submission.errorOf('username') }}</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>E-mail (for password resets)</mat-label>
            <input matInput type="email" formControlName="email" autocomplete="email" />
            <mat-error>{{ submission.errorOf('email') }}</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Password</mat-label>
            <input matInput type="password" formControlName="password" autocomplete="new-password" required />
            <mat-error>{{ submission.errorOf('password') }}</mat-error>
          </mat-form-field>
          <mat-form-field>
            <mat-label>Repeat the password</mat-label>
            <input matInput type="password" formControlName="repeat" autocomplete="new-password" required />
            <mat-error>{{ submission.errorOf('repeat') }}</mat-error>
          </mat-form-field>
          <app-form-errors [submission]="submission" />
          <div class="form-actions">
            <button mat-flat-button type="submit" [disabled]="submission.busy()">Create account</button>
          </div>
        </form>
      }
    </app-auth-card>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Register {
  private readonly auth = inject(AuthApi);
  private readonly session = inject(SessionState);
  private readonly router = inject(Router);

  /** The invite token from the link. */
  readonly invite = input<string>();

  protected readonly preview = signal<InvitePreview | null>(null);
  protected readonly inviteError = signal<string | null>(null);
  protected readonly form = inject(FormBuilder).nonNullable.group({
    username: ['', Validators.required],
    email: [''],
    password: ['', Validators.required],
    repeat: ['', Validators.required],
  });
  protected readonly submission = new FormSubmission(this.form);

  constructor() {
    effect(() => {
      const token = this.invite();
      if (!token) {
        this.inviteError.set('This page needs the invite link you received. Ask an administrator for one.');
        return;
      }
      this.auth.invitePreview(token).then(
        (preview) => {
          this.preview.set(preview);
          if (preview.email) this.form.controls.email.setValue(preview.email);
        },
        (error: unknown) =>
          this.inviteError.set(
            ApiError.from(error).status === 404
              ? 'This invite link is not valid any more: it was used, revoked or has expired.'
              : ApiError.from(error).message,
          ),
      );
    });
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const { username, email, password, repeat } = this.form.getRawValue();
    const data = this.submission.parse(registerRequestSchema, {
      invite: this.invite(),
      username,
      password,
      ...(email ? { email } : {}),
    });
    if (!data) return;
    if (password !== repeat) return this.submission.reject('repeat', 'The two passwords differ');
    await this.submission.send(async () => {
      await this.auth.register(data);
      await this.router.navigateByUrl(homeFor(this.session.role()));
    });
  }
}
