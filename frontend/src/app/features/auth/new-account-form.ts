import { ChangeDetectionStrategy, Component, effect, inject, input } from '@angular/core';
import { FormBuilder, Validators } from '@angular/forms';
import type { z } from 'zod';
import { FormSubmission } from '../../shared/form-submission.ts';
import { authFormImports } from './auth-card.ts';

/**
 * Username, e-mail and a password typed twice: creating an account, on the first run and from
 * an invite. The page says which request it is (`schema`, plus `extra` fields such as the
 * invite token) and what creating it means (`create`).
 */
@Component({
  selector: 'app-new-account-form',
  imports: [authFormImports],
  template: `
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
        <button mat-flat-button type="submit" [disabled]="submission.busy()">{{ submitLabel() }}</button>
      </div>
    </form>
  `,
  // Lays out as the card's own content, as the form did when each page wrote it.
  styles: `
    :host {
      display: contents;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class NewAccountForm<S extends z.ZodType> {
  /** The API's request schema, which the typed fields are validated with. */
  readonly schema = input.required<S>();
  /** Request fields that are not typed here (the invite token). */
  readonly extra = input<Record<string, unknown>>({});
  /** The e-mail address to start with (the one the invite was sent to). */
  readonly email = input<string | null>(null);
  readonly submitLabel = input.required<string>();
  /** Sends the validated request; a rejection is shown on the form. */
  readonly create = input.required<(request: z.output<S>) => Promise<unknown>>();

  protected readonly form = inject(FormBuilder).nonNullable.group({
    username: ['', Validators.required],
    email: [''],
    password: ['', Validators.required],
    repeat: ['', Validators.required],
  });
  protected readonly submission = new FormSubmission(this.form);

  constructor() {
    effect(() => {
      const email = this.email();
      if (email) this.form.controls.email.setValue(email);
    });
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const { username, email, password, repeat } = this.form.getRawValue();
    const request = this.submission.parse(this.schema(), {
      ...this.extra(),
      username,
      password,
      ...(email ? { email } : {}),
    });
    if (!request) return;
    if (password !== repeat) return this.submission.reject('repeat', 'The two passwords differ');
    await this.submission.send(() => this.create()(request));
  }
}
