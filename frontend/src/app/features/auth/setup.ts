import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { Router } from '@angular/router';
import { setupRequestSchema, type SetupRequest } from '@skyy/contracts';
import { AuthApi } from '../../core/auth/auth-api.ts';
import { AuthCard } from './auth-card.ts';
import { NewAccountForm } from './new-account-form.ts';

/** First run: nobody exists yet, so whoever opens the console creates the administrator. */
@Component({
  selector: 'app-setup',
  imports: [AuthCard, NewAccountForm],
  template: `
    <app-auth-card title="Create the first administrator">
      <p class="muted">
        This Skyy Command has no users yet. The account you create now can invite everyone else.
      </p>
      <app-new-account-form
        submitLabel="Create administrator"
        [schema]="schema"
        [create]="createAdministrator"
      />
    </app-auth-card>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Setup {
  private readonly auth = inject(AuthApi);
  private readonly router = inject(Router);
  protected readonly schema = setupRequestSchema;
  protected readonly createAdministrator = async (request: SetupRequest) => {
    await this.auth.setup(request);
    await this.router.navigateByUrl('/dashboard');
  };

  constructor() {
    void this.auth.needsSetup().then(
      (needsSetup) => needsSetup || this.router.navigateByUrl('/login'),
      () => undefined,
    );
  }
}
