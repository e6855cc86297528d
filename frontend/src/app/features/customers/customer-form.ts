import { ChangeDetectionStrategy, Component, effect, inject, input, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule, Validators } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { Router, RouterLink } from '@angular/router';
import { customerCreateSchema, customerUpdateSchema, type Customer } from '@skyy/contracts';
import { ApiError } from '../../core/http/api-error.ts';
import {
  applyFieldErrors,
  controlError,
  zodFieldErrors,
  type FieldError,
} from '../../shared/field-errors.ts';
import { CustomersApi } from './customers-api.ts';

@Component({
  selector: 'app-customer-form',
  imports: [ReactiveFormsModule, RouterLink, MatFormFieldModule, MatInputModule, MatButtonModule],
  template: `
    <header class="page-header">
      <h1>{{ id() ? 'Edit ' + (loaded()?.name ?? 'customer') : 'Add a customer' }}</h1>
    </header>
    <form class="form" [formGroup]="form" (ngSubmit)="submit()" novalidate>
      <mat-form-field>
        <mat-label>Name</mat-label>
        <input matInput formControlName="name" required autocomplete="organization" />
        <mat-error>{{ errorOf('name') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>E-mail</mat-label>
        <input matInput type="email" formControlName="email" autocomplete="email" />
        <mat-error>{{ errorOf('email') }}</mat-error>
      </mat-form-field>
      <mat-form-field>
        <mat-label>Notes</mat-label>
        <textarea matInput formControlName="notes" rows="5"></textarea>
        <mat-error>{{ errorOf('notes') }}</mat-error>
      </mat-form-field>
      @for (problem of otherErrors(); track problem.path) {
        <p class="form-error" role="alert">{{ problem.path }}: {{ problem.message }}</p>
      }
      @if (error()) {
        <p class="form-error" role="alert">{{ error() }}</p>
      }
      <div class="form-actions">
        <button mat-flat-button type="submit" [disabled]="busy()">
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
  protected readonly loaded = signal<Customer | null>(null);
  protected readonly busy = signal(false);
  protected readonly error = signal<string | null>(null);
  protected readonly otherErrors = signal<FieldError[]>([]);

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
        (error: unknown) => this.error.set(ApiError.from(error).message),
      );
    });
  }

  protected errorOf(name: string): string | null {
    return controlError(this.form.get(name));
  }

  protected async submit(): Promise<void> {
    this.form.markAllAsTouched();
    this.error.set(null);
    this.otherErrors.set([]);
    const v = this.form.getRawValue();
    const body = { name: v.name, email: v.email.trim() || null, notes: v.notes.trim() || null };
    const id = this.id();
    const parsed = (id ? customerUpdateSchema : customerCreateSchema).safeParse(body);
    if (!parsed.success) {
      this.otherErrors.set(applyFieldErrors(this.form, zodFieldErrors(parsed.error)));
      return;
    }
    this.busy.set(true);
    try {
      const saved = id
        ? await this.customers.update(id, parsed.data)
        : await this.customers.create(customerCreateSchema.parse(body));
      await this.router.navigate(['/customers', saved.id]);
    } catch (error) {
      const problem = ApiError.from(error);
      this.otherErrors.set(applyFieldErrors(this.form, problem.fieldErrors));
      if (!problem.fieldErrors.length) this.error.set(problem.message);
    } finally {
      this.busy.set(false);
    }
  }
}
