import { Controller, Delete, Get, HttpCode, Inject, Patch, Post, Res } from '@nestjs/common';
import {
  hostCreateSchema,
  hostImportResultSchema,
  hostImportSchema,
  hostListQuerySchema,
  hostPageSchema,
  hostSchema,
  hostUpdateSchema,
  type HostCreate,
  type HostImport,
  type HostListQuery,
  type HostUpdate,
} from '@skyy/contracts';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { HostsImportService } from './hosts-import.service.ts';
import { HostsService } from './hosts.service.ts';

@Controller('api/v1/hosts')
export class HostsController {
  constructor(
    @Inject(HostsService) private readonly hosts: HostsService,
    @Inject(HostsImportService) private readonly importer: HostsImportService,
  ) {}

  @Get()
  @Roles('viewer', 'customer')
  @Returns(hostPageSchema)
  list(@CurrentCaller() caller: Caller, @ValidQuery(hostListQuerySchema) query: HostListQuery) {
    return this.hosts.list(caller, query);
  }

  @Get(':id')
  @Roles('viewer', 'customer')
  @Returns(hostSchema)
  get(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.hosts.get(caller, id);
  }

  @Post()
  @Roles('operator')
  @Returns(hostSchema, 201)
  create(@CurrentCaller() caller: Caller, @ValidBody(hostCreateSchema) body: HostCreate) {
    return this.hosts.create(caller, body);
  }

  /** 200 when applied (or a clean dry run), 422 when any file is invalid and nothing was written. */
  @Post('import')
  @Roles('operator')
  @Returns(hostImportResultSchema)
  async import(
    @CurrentCaller() caller: Caller,
    @ValidBody(hostImportSchema) body: HostImport,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const result = await this.importer.import(caller, body);
    void reply.status(result.files.some((f) => f.status === 'invalid') ? 422 : 200);
    return result;
  }

  @Patch(':id')
  @Roles('operator')
  @Returns(hostSchema)
  update(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(hostUpdateSchema) body: HostUpdate,
  ) {
    return this.hosts.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.hosts.delete(caller, id);
  }
}
