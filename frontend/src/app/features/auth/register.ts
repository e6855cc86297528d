import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import { registerRequestSchema, type InvitePreview, type RegisterRequest } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { homeFor } from '../../core/auth/guards.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { ApiError } from '../../core/http/api-error.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { AuthCard } from './auth-card.ts';
import { NewAccountForm } from './new-account-form.ts';

/** Creating an account from an invite link (/register?invite=…). */
@Component({
  selector: 'app-register',
  imports: [AuthCard, NewAccountForm, MatButtonModule, RouterLink, DateTimePipe],
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
        <app-new-account-form
          submitLabel="Create account"
          [schema]="schema"
          [extra]="{ invite: invite() }"
          [email]="preview()?.email ?? null"
          [create]="createAccount"
        />
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
  protected readonly schema = registerRequestSchema;
  protected readonly createAccount = async (request: RegisterRequest) => {
    await this.auth.register(request);
    await this.router.navigateByUrl(homeFor(this.session.role()));
  };

  constructor() {
    effect(() => {
      const token = this.invite();
      if (!token) {
        this.inviteError.set('This page needs the invite link you received. Ask an administrator for one.');
        return;
      }
      this.auth.invitePreview(token).then(
        (preview) => this.preview.set(preview),
        (error: unknown) =>
          this.inviteError.set(
            ApiError.from(error).status === 404
              ? 'This invite link is not valid any more: it was used, revoked or has expired.'
              : ApiError.from(error).message,
          ),
      );
    });
  }
}
