import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { customerCreateSchema, customerUpdateSchema, type Customer } from '@skyy/contracts';
import { errorMessage } from '../../core/http/api-error.ts';
import { FormErrors } from '../../shared/form-errors.ts';
import { FormSubmission } from '../../shared/form-submission.ts';
import { CustomersApi } from './customers-api.ts';

@Component({
  selector: 'app-customer-form',
  imports: [ReactiveFormsModule, RouterLink, MatFormFieldModule, MatInputModule, MatButtonModule, FormErrors],
  template: `
    <header class="page-header">
      <h1>{{ id() ? 'Edit ' + (loaded()?.name ?? 'customer') : 'Add a customer' }}</h1>
    </header>
    <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <mat-form-field>
        <mat-label>Name</mat-label>
        <input matInput formControlName="name" required autocomplete="organization" />
        <mat-error>{{ submission.errorOf('name') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>E-mail</mat-label>
        <input matInput type="email" formControlName="email" autocomplete="email" />
        <mat-error>{{ submission.errorOf('email') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Notes</mat-label>
        <textarea matInput formControlName="notes" rows="5"></textarea>
        <mat-error>{{ submission.errorOf('notes') }}</mat-error>
      </mat-form-field>
      <app-form-errors [submission]="submission" />
      <div class="form-actions">
        <button mat-flat-button type="submit" [disabled]="submission.busy()">
          {{ id() ? 'Save changes' : 'Add customer' }}
        </button>
        <a mat-button [routerLink]="id() ? ['/customers', id()] : ['/customers']">Cancel</a>
      </div>
    </form>
  `,
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class CustomerForm {
  private readonly customers = inject(CustomersApi);
  private readonly router = inject(Router);
  readonly id = input<string>();
  protected readonly form = inject(FormBuilder).nonNullable.group({
    name: ['', Validators.required],
    email: [''],
    notes: [''],
  });
  protected readonly submission = new FormSubmission(this.form);
  protected readonly loaded = signal<Customer | null>(null);

  constructor() {
    effect(() => {
      const id = this.id();
      if (!id) return;
      this.customers.get(id).then(
        (customer) => {
          this.loaded.set(customer);
          this.form.setValue({
            name: customer.name,
            email: customer.email ?? '',
            notes: customer.notes ?? '',
          });
        },
        (error: unknown) => this.submission.error.set(errorMessage(error)),
      );
    });
  }

  protected async submit(): Promise<void> {
    this.submission.begin();
    const v = this.form.getRawValue();
    const body = { name: v.name, email: v.email.trim() || null, notes: v.notes.trim() || null };
    const id = this.id();
    const data = this.submission.parse(id ? customerUpdateSchema : customerCreateSchema, body);
    if (!data) return;
    await this.submission.send(async () => {
      const saved = id
        ? await this.customers.update(id, data)
        : await this.customers.create(customerCreateSchema.parse(body));
      await this.router.navigate(['/customers', saved.id]);
    });
  }
}
