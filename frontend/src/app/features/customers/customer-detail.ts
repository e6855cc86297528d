import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { Router, RouterLink } from '@angular/router';
import { deploymentPageSchema, type Customer, type Deployment } from '@skyy/contracts';
import { SessionState } from '../../core/auth/session-state.ts';
import { Api } from '../../core/http/api.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { Icon } from '../../shared/icon.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { CustomersApi } from './customers-api.ts';

@Component({
  selector: 'app-customer-detail',
  imports: [RouterLink, MatButtonModule, Icon, DateTimePipe],
  template: `
    @if (error()) {
      <p class="form-error" role="alert">{{ error() }}</p>
    }
    @if (customer(); as customer) {
      <header class="page-header">
        <a mat-icon-button routerLink="/customers" aria-label="Back to customers"
          ><app-icon name="arrow_back"
        /></a>
        <h1>{{ customer.name }}</h1>
        @if (session.canEdit()) {
          <div class="actions">
            <a mat-stroked-button [routerLink]="['/customers', customer.id, 'edit']"
              ><app-icon name="edit" /> Edit</a
            >
            <button mat-stroked-button type="button" (click)="remove(customer)">
              <app-icon name="delete" /> Delete
            </button>
          </div>
        }
      </header>
      <section class="panel" aria-labelledby="customer-facts">
        <h2 id="customer-facts">Customer</h2>
        <dl class="facts">
          <dt>E-mail</dt>
          <dd>{{ customer.email ?? '—' }}</dd>
          <dt>Notes</dt>
          <dd class="notes">{{ customer.notes ?? '—' }}</dd>
          <dt>Customer since</dt>
          <dd>{{ customer.createdAt | dateTime }}</dd>
        </dl>
      </section>
      <section class="panel" aria-labelledby="customer-deployments">
        <h2 id="customer-deployments">Deployments ({{ deployments().length }})</h2>
        <div class="chips">
          @for (deployment of deployments(); track deployment.id) {
            <a class="chip" [routerLink]="['/deployments', deployment.id]"
              >{{ deployment.name }} · {{ deployment.status }}</a
            >
          } @empty {
            <span class="muted">No deployments for this customer yet.</span>
          }
        </div>
      </section>
    }
  `,
  styles: `
    .notes {
      white-space: pre-wrap;
    }
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CustomerDetail {
  private readonly customers = inject(CustomersApi);
  private readonly api = inject(Api);
  private readonly confirm = inject(Confirm);
  private readonly router = inject(Router);
  protected readonly session = inject(SessionState);
  readonly id = input.required<string>();
  protected readonly customer = signal<Customer | null>(null);
  protected readonly deployments = signal<Deployment[]>([]);
  protected readonly error = signal<string | null>(null);

  constructor() {
    effect(() => {
      const id = this.id();
      this.customers.get(id).then(
        (customer) => this.customer.set(customer),
        (error: unknown) => this.error.set(errorMessage(error)),
      );
      this.api.get('/deployments', deploymentPageSchema, { customerId: id, limit: 500 }).then(
        (page) => this.deployments.set(page.items),
        () => undefined,
      );
    });
  }

  protected async remove(customer: Customer): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Delete ${customer.name}?`,
      message: 'The customer is removed from Skyy Command. This cannot be undone.',
      confirmLabel: 'Delete customer',
      destructive: true,
    });
    if (!yes) return;
    try {
      await this.customers.delete(customer.id);
      await this.router.navigateByUrl('/customers');
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }
}
