import { Controller, Delete, Get, HttpCode, Inject, Post } from '@nestjs/common';
import {
  apiTokenCreatedSchema,
  apiTokenCreateSchema,
  apiTokenListSchema,
  type ApiTokenCreate,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Authenticated } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody } from '../../core/http/zod-params.ts';
import { ApiTokensService } from './api-tokens.service.ts';

/** Everyone manages their own tokens; a token never gets more than its user has. */
@Controller('api/v1/auth/tokens')
export class ApiTokensController {
  constructor(@Inject(ApiTokensService) private readonly tokens: ApiTokensService) {}

  @Get()
  @Authenticated()
  @Returns(apiTokenListSchema)
  list(@CurrentCaller() caller: Caller) {
    return this.tokens.list(caller);
  }

  @Post()
  @Authenticated()
  @Returns(apiTokenCreatedSchema, 201)
  create(@CurrentCaller() caller: Caller, @ValidBody(apiTokenCreateSchema) body: ApiTokenCreate) {
    return this.tokens.create(caller, body);
  }

  @Delete(':id')
  @Authenticated()
  @HttpCode(204)
  async revoke(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.tokens.revoke(caller, id);
  }
}
