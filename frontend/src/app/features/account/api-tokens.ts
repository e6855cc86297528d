import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { apiTokenCreateSchema, type ApiToken, type ApiTokenCreated } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { SessionState } from '../../core/auth/session-state.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { CopyButton } from '../../shared/copy-button.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { DateTimePipe, TimeAgoPipe } from '../../shared/time.ts';

/** Personal API tokens for the CLI and scripts: the secret is shown once, then only its prefix. */
@Component({
  selector: 'app-api-tokens',
  imports: [
    ReactiveFormsModule,
    MatTableModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    CopyButton,
    FormErrors,
    DateTimePipe,
    TimeAgoPipe,
  ],
  templateUrl: './api-tokens.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class ApiTokens {
  private readonly auth = inject(AuthApi);
  private readonly confirm = inject(Confirm);
  protected readonly session = inject(SessionState);
  protected readonly tokens = signal<ApiToken[]>([]);
  protected readonly created = signal<ApiTokenCreated | null>(null);
  protected readonly columns = ['name', 'prefix', 'scopes', 'lastUsedAt', 'expiresAt', 'actions'];
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: ['', Validators.required],
    scopes: ['read'],
    expiresInDays: [''],
  });
  /** Also shows why the tokens could not be listed or revoked, above the form's button. */
  protected readonly submission = new FormSubmission(this.form);

  constructor() {
    void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.tokens.set((await this.auth.tokens()).items);
    } catch (error) {
      this.submission.error.set(errorMessage(error));
    }
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const v = this.form.getRawValue();
    const data = this.submission.parse(apiTokenCreateSchema, {
      name: v.name,
      scopes: v.scopes === 'write' ? ['read', 'write'] : ['read'],
      ...(v.expiresInDays ? { expiresInDays: Number(v.expiresInDays) } : {}),
    });
    if (!data) return;
    await this.submission.send(async () => {
      this.created.set(await this.auth.createToken(data));
      this.form.reset();
      await this.load();
    });
  }

  protected async revoke(token: ApiToken): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Revoke “${token.name}”?`,
      message: 'Scripts and CLIs using this token are refused from now on.',
      confirmLabel: 'Revoke token',
      destructive: true,
    });
    if (!yes) return;
    try {
      await this.auth.revokeToken(token.id);
      if (this.created()?.token.id === token.id) this.created.set(null);
    } catch (error) {
      this.submission.error.set(errorMessage(error));
    }
    await this.load();
  }
}
