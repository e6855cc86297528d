import { inject, Injectable } from '@angular/core';
import {
  inviteCreatedSchema,
  invitePageSchema,
  userPageSchema,
  userSchema,
  type InviteCreate,
  type UserUpdate,
} from '@skyy/contracts';
import { Api, type Query } from '../../core/http/api.ts';

/** User administration and invites (administrators only; the API enforces it). */
@Injectable({ providedIn: 'root' })
export class UsersApi {
  private readonly api = inject(Api);

  list(query: Query) {
    return this.api.get('/users', userPageSchema, query);
  }
  update(id: string, change: UserUpdate) {
    return this.api.patch(`/users/${id}`, change, userSchema);
  }
  delete(id: string) {
    return this.api.send('DELETE', `/users/${id}`);
  }
  invites(query: Query) {
    return this.api.get('/invites', invitePageSchema, query);
  }
  invite(request: InviteCreate) {
    return this.api.post('/invites', request, inviteCreatedSchema);
  }
  revokeInvite(id: string) {
    return this.api.send('DELETE', `/invites/${id}`);
  }
}
