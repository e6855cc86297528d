import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatSelectModule } from '@angular/material/select';
import { MatTableModule } from '@angular/material/table';
import { inviteCreateSchema, type Invite, type InviteCreated } from '@skyy/contracts';
import { ApiError, errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { CopyButton } from '../../shared/copy-button.ts';
import { applyFieldErrors, controlError, zodFieldErrors } from '../../shared/field-errors.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { DateTimePipe } from '../../shared/time.ts';
import { UsersApi } from './users-api.ts';

/** Invite people: the link is shown once (and mailed when an address is given). */
@Component({
  selector: 'app-invites',
  imports: [
    ReactiveFormsModule,
    MatTableModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    DateTimePipe,
    CopyButton,
  ],
  templateUrl: './invites.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class Invites {
  private readonly users = inject(UsersApi);
  private readonly confirm = inject(Confirm);
  protected readonly names = inject(ReferenceNames);
  protected readonly invites = signal<Invite[]>([]);
  protected readonly created = signal<InviteCreated | null>(null);
  protected readonly error = signal<string | null>(null);
  protected readonly busy = signal(false);
  protected readonly columns = ['role', 'email', 'status', 'expiresAt', 'actions'];
  protected readonly form = inject(FormBuilder).nonNullable.group({
    role: ['viewer'],
    customerId: [''],
    email: [''],
    expiresInHours: [72],
  });

  constructor() {
    void this.names.loadCustomers();
    void this.load();
  }

  protected errorOf(name: string): string | null {
    return controlError(this.form.get(name));
  }

  private async load(): Promise<void> {
    try {
      this.invites.set((await this.users.invites({ limit: 100, order: 'desc' })).items);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
  }

  protected async submit(): Promise<void> {
    this.error.set(null);
    this.created.set(null);
    const v = this.form.getRawValue();
    const parsed = inviteCreateSchema.safeParse({
      role: v.role,
      expiresInHours: Number(v.expiresInHours),
      ...(v.role === 'customer' && v.customerId ? { customerId: v.customerId } : {}),
      ...(v.email.trim() ? { email: v.email.trim() } : {}),
    });
    if (!parsed.success) {
      applyFieldErrors(this.form, zodFieldErrors(parsed.error));
      return;
    }
    this.busy.set(true);
    try {
      this.created.set(await this.users.invite(parsed.data));
      this.form.reset();
      await this.load();
    } catch (error) {
      const problem = ApiError.from(error);
      if (!applyFieldErrors(this.form, problem.fieldErrors).length && problem.fieldErrors.length) return;
      this.error.set(problem.message);
    } finally {
      this.busy.set(false);
    }
  }

  protected async revoke(invite: Invite): Promise<void> {
    const yes = await this.confirm.ask({
      title: 'Revoke this invite?',
      message: 'The link stops working at once.',
      confirmLabel: 'Revoke',
      destructive: true,
    });
    if (!yes) return;
    try {
      await this.users.revokeInvite(invite.id);
    } catch (error) {
      this.error.set(errorMessage(error));
    }
    await this.load();
  }
}
