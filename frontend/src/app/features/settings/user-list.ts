import { ChangeDetectionStrategy, Component, inject, signal } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { FormBuilder, ReactiveFormsModule } from '@angular/forms';
import { MatButtonModule } from '@angular/material/button';
import { MatFormFieldModule } from '@angular/material/form-field';
import { MatInputModule } from '@angular/material/input';
import { MatPaginatorModule } from '@angular/material/paginator';
import { MatProgressBarModule } from '@angular/material/progress-bar';
import { MatSelectModule } from '@angular/material/select';
import { MatSortModule } from '@angular/material/sort';
import { MatTableModule } from '@angular/material/table';
import type { Role, User } from '@skyy/contracts';
import { debounceTime } from 'rxjs';
import { SessionState } from '../../core/auth/session-state.ts';
import { errorMessage } from '../../core/http/api-error.ts';
import { Confirm } from '../../shared/confirm-dialog.ts';
import { ReferenceNames } from '../../shared/reference-names.ts';
import { TimeAgoPipe } from '../../shared/time.ts';
import { CursorList } from '../../shared/cursor-list.ts';
import { UsersApi } from './users-api.ts';

@Component({
  selector: 'app-user-list',
  imports: [
    ReactiveFormsModule,
    MatTableModule,
    MatSortModule,
    MatPaginatorModule,
    MatProgressBarModule,
    MatFormFieldModule,
    MatInputModule,
    MatSelectModule,
    MatButtonModule,
    TimeAgoPipe,
  ],
  templateUrl: './user-list.html',
  changeDetection: ChangeDetectionStrategy.OnPush,
})
export class UserList {
  private readonly users = inject(UsersApi);
  private readonly confirm = inject(Confirm);
  protected readonly session = inject(SessionState);
  protected readonly names = inject(ReferenceNames);
  protected readonly staffRoles: Role[] = ['admin', 'operator', 'viewer'];
  protected readonly list = new CursorList<User>((query) => this.users.list(query), { sort: 'username' });
  protected readonly columns = ['username', 'email', 'role', 'lastLoginAt', 'actions'];
  protected readonly filters = inject(FormBuilder).nonNullable.group({ q: [''], role: [''] });
  protected readonly error = signal<string | null>(null);

  constructor() {
    void this.list.first();
    void this.names.loadCustomers();
    this.filters.valueChanges
      .pipe(debounceTime(250), takeUntilDestroyed())
      .subscribe((value) => void this.list.filter(value));
  }

  protected async setRole(user: User, role: Role): Promise<void> {
    await this.change(() => this.users.update(user.id, { role }));
  }

  protected async toggleDisabled(user: User): Promise<void> {
    if (!user.disabled) {
      const yes = await this.confirm.ask({
        title: `Disable ${user.username}?`,
        message:
          'They are signed out everywhere and cannot sign in until enabled again. Their API tokens stop working.',
        confirmLabel: 'Disable',
        destructive: true,
      });
      if (!yes) return;
    }
    await this.change(() => this.users.update(user.id, { disabled: !user.disabled }));
  }

  protected async remove(user: User): Promise<void> {
    const yes = await this.confirm.ask({
      title: `Delete ${user.username}?`,
      message: 'The account and its API tokens are deleted. The audit log keeps what they did.',
      confirmLabel: 'Delete user',
      destructive: true,
    });
    if (yes) await this.change(() => this.users.delete(user.id));
  }

  private async change(action: () => Promise<unknown>): Promise<void> {
    this.error.set(null);
    try {
      await action();
    } catch (error) {
      this.error.set(errorMessage(error));
    }
    await this.list.reload();
  }
}
