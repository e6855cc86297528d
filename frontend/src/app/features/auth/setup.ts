import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router } from '@angular/router';
import { setupRequestSchema } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { AuthCard } from './auth-card.ts';

/** First run: nobody exists yet, so whoever opens the console creates the administrator. */
@Component({
  selector: 'app-setup',
  imports: [ReactiveFormsModule, MatFormFieldModule, MatInputModule, MatButtonModule, AuthCard, FormErrors],
  template: `
    <app-auth-card title="Create the first administrator">
      <p class="muted">
        This Skyy Command has no users yet. The account you create now can invite everyone else.
      </p>
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
          <button mat-flat-button type="submit" [disabled]="submission.busy()">Create administrator</button>
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
  protected readonly submission = new FormSubmission(this.form);

  constructor() {
    void this.auth.needsSetup().then(
      (needsSetup) => needsSetup || this.router.navigateByUrl('/login'),
      () => undefined,
    );
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const { username, email, password, repeat } = this.form.getRawValue();
    const data = this.submission.parse(setupRequestSchema, {
      username,
      password,
      ...(email ? { email } : {}),
    });
    if (!data) return;
    if (password !== repeat) return this.submission.reject('repeat', 'The two passwords differ');
    await this.submission.send(async () => {
      await this.auth.setup(data);
      await this.router.navigateByUrl('/dashboard');
    });
  }
}
