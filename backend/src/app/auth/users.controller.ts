import { Controller, Delete, Get, HttpCode, Inject, Patch } from '@nestjs/common';
import {
  userListQuerySchema,
  userPageSchema,
  userSchema,
  userUpdateSchema,
  type UserListQuery,
  type UserUpdate,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { UsersService } from './users.service.ts';

/** Accounts are created by setup, invites or open registration; admins manage them here. */
@Controller('api/v1/users')
export class UsersController {
  constructor(@Inject(UsersService) private readonly users: UsersService) {}

  @Get()
  @Roles('admin')
  @Returns(userPageSchema)
  list(@ValidQuery(userListQuerySchema) query: UserListQuery) {
    return this.users.list(query);
  }

  @Get(':id')
  @Roles('admin')
  @Returns(userSchema)
  get(@IdParam() id: string) {
    return this.users.get(id);
  }

  @Patch(':id')
  @Roles('admin')
  @Returns(userSchema)
  update(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(userUpdateSchema) body: UserUpdate,
  ) {
    return this.users.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.users.delete(caller, id);
  }
}
