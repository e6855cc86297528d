import { Controller, Delete, Get, HttpCode, Inject, Post, Req } from '@nestjs/common';
import {
  inviteCreatedSchema,
  inviteCreateSchema,
  inviteListQuerySchema,
  invitePageSchema,
  type InviteCreate,
  type InviteListQuery,
  type SkyyConfig,
} from '@skyy/contracts';
import type { FastifyRequest } from 'fastify';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { CONFIG } from '../../core/tokens.ts';
import { InvitesService } from './invites.service.ts';
import { requestContext } from './request-context.ts';

@Controller('api/v1/invites')
export class InvitesController {
  constructor(
    @Inject(CONFIG) private readonly config: SkyyConfig,
    @Inject(InvitesService) private readonly invites: InvitesService,
  ) {}

  /** The answer's `url` is the only copy of the invite link (also mailed when `email` is given). */
  @Post()
  @Roles('admin')
  @Returns(inviteCreatedSchema, 201)
  create(
    @CurrentCaller() caller: Caller,
    @ValidBody(inviteCreateSchema) body: InviteCreate,
    @Req() request: FastifyRequest,
  ) {
    return this.invites.create(caller, body, requestContext(request, this.config).baseUrl);
  }

  @Get()
  @Roles('admin')
  @Returns(invitePageSchema)
  list(@ValidQuery(inviteListQuerySchema) query: InviteListQuery) {
    return this.invites.list(query);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async revoke(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.invites.revoke(caller, id);
  }
}
