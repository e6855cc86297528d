import { inject, Injectable } from '@angular/core';
import {
  apiTokenCreatedSchema,
  apiTokenListSchema,
  invitePreviewSchema,
  sessionInfoSchema,
  setupStatusSchema,
  type ApiTokenCreate,
  type LoginRequest,
  type PasswordChange,
  type PasswordForgot,
  type PasswordReset,
  type RegisterRequest,
  type SetupRequest,
} from '@skyy/contracts';
import { Api } from '../http/api.ts';
import { ApiError } from '../http/api-error.ts';
import { SessionState } from './session-state.ts';

/** Sign-in, first-run setup, registration, passwords and personal API tokens. */
@Injectable({ providedIn: 'root' })
export class AuthApi {
  private readonly api = inject(Api);
  private readonly session = inject(SessionState);
  private restored: Promise<void> | null = null;

  /** Asks the server once per page load whether the session cookie is still good. */
  restore(): Promise<void> {
    this.restored ??= this.api.get('/auth/me', sessionInfoSchema).then(
      (info) => this.session.signedIn(info),
      (error: unknown) => {
        if (ApiError.from(error).status !== 401) throw error;
        this.session.clear();
      },
    );
    return this.restored.catch((error: unknown) => {
      this.restored = null;
      throw error;
    });
  }

  async needsSetup(): Promise<boolean> {
    return (await this.api.get('/auth/setup', setupStatusSchema)).needsSetup;
  }

  async setup(request: SetupRequest): Promise<void> {
    this.session.signedIn(await this.api.post('/auth/setup', request, sessionInfoSchema));
  }

  async login(request: LoginRequest): Promise<void> {
    this.session.signedIn(await this.api.post('/auth/login', request, sessionInfoSchema));
  }

  async register(request: RegisterRequest): Promise<void> {
    this.session.signedIn(await this.api.post('/auth/register', request, sessionInfoSchema));
  }

  async logout(): Promise<void> {
    try {
      await this.api.send('POST', '/auth/logout');
    } finally {
      this.session.clear();
    }
  }

  invitePreview(token: string) {
    return this.api.get(`/auth/invites/${encodeURIComponent(token)}`, invitePreviewSchema);
  }

  forgotPassword(request: PasswordForgot): Promise<void> {
    return this.api.send('POST', '/auth/password/forgot', request);
  }

  resetPassword(request: PasswordReset): Promise<void> {
    return this.api.send('POST', '/auth/password/reset', request);
  }

  changePassword(request: PasswordChange): Promise<void> {
    return this.api.send('POST', '/auth/password/change', request);
  }

  tokens() {
    return this.api.get('/auth/tokens', apiTokenListSchema);
  }

  createToken(request: ApiTokenCreate) {
    return this.api.post('/auth/tokens', request, apiTokenCreatedSchema);
  }

  revokeToken(id: string): Promise<void> {
    return this.api.send('DELETE', `/auth/tokens/${id}`);
  }
}
