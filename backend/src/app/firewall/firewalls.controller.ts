import { Controller, Delete, Get, HttpCode, Inject, Patch, Post, Put, Res } from '@nestjs/common';
import {
  firewallApplyQuerySchema,
  firewallApplySchema,
  firewallCreateSchema,
  firewallListQuerySchema,
  firewallPageSchema,
  firewallPlanSchema,
  firewallSchema,
  firewallStatusQuerySchema,
  firewallStatusSchema,
  firewallUpdateSchema,
  jobSchema,
  networkingDocumentSchema,
  networkingUploadSchema,
  type FirewallApply,
  type FirewallApplyQuery,
  type FirewallCreate,
  type FirewallListQuery,
  type FirewallStatusQuery,
  type FirewallUpdate,
  type NetworkingUpload,
} from '@skyy/contracts';
import type { FastifyReply } from 'fastify';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { FirewallStatusService } from './firewall-status.service.ts';
import { FirewallSyncService } from './firewall-sync.service.ts';
import { FirewallTargets } from './firewall-target.ts';
import { FirewallsService } from './firewalls.service.ts';

/** pfSense firewalls are HelloSkyy infrastructure: staff only, customers never see them. */
@Controller('api/v1/firewalls')
export class FirewallsController {
  constructor(
    @Inject(FirewallsService) private readonly firewalls: FirewallsService,
    @Inject(FirewallTargets) private readonly targets: FirewallTargets,
    @Inject(FirewallSyncService) private readonly sync: FirewallSyncService,
    @Inject(FirewallStatusService) private readonly status: FirewallStatusService,
  ) {}

  @Get()
  @Roles('viewer')
  @Returns(firewallPageSchema)
  list(@CurrentCaller() caller: Caller, @ValidQuery(firewallListQuerySchema) query: FirewallListQuery) {
    return this.firewalls.list(caller, query);
  }

  @Get(':id')
  @Roles('viewer')
  @Returns(firewallSchema)
  get(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.firewalls.get(caller, id);
  }

  @Post()
  @Roles('admin')
  @Returns(firewallSchema, 201)
  create(@CurrentCaller() caller: Caller, @ValidBody(firewallCreateSchema) body: FirewallCreate) {
    return this.firewalls.create(caller, body);
  }

  @Patch(':id')
  @Roles('admin')
  @Returns(firewallSchema)
  update(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(firewallUpdateSchema) body: FirewallUpdate,
  ) {
    return this.firewalls.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.firewalls.delete(caller, id);
  }

  @Get(':id/networking')
  @Roles('viewer')
  @Returns(networkingDocumentSchema)
  networking(@IdParam() id: string) {
    return this.targets.networkingOf(id);
  }

  @Put(':id/networking')
  @Roles('operator')
  @Returns(networkingDocumentSchema)
  putNetworking(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(networkingUploadSchema) body: NetworkingUpload,
  ) {
    return this.firewalls.putNetworking(caller, id, body);
  }

  @Get(':id/plan')
  @Roles('viewer')
  @Returns(firewallPlanSchema)
  plan(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.sync.plan(caller, id);
  }

  /**
   * Starts the `firewall.sync` job (202 with the job), or with `?preview=true` answers 200 with
   * the dry_run preview (firewallPreviewSchema) and writes nothing.
   */
  @Post(':id/apply')
  @Roles('operator')
  @HttpCode(202)
  @Returns(jobSchema, 202)
  async apply(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidQuery(firewallApplyQuerySchema) query: FirewallApplyQuery,
    @ValidBody(firewallApplySchema) body: FirewallApply,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    if (!query.preview) return this.sync.startApply(caller, id, body);
    void reply.status(200);
    return this.sync.preview(caller, id);
  }

  @Get(':id/status')
  @Roles('viewer')
  @Returns(firewallStatusSchema)
  getStatus(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidQuery(firewallStatusQuerySchema) query: FirewallStatusQuery,
  ) {
    return this.status.get(caller, id, query);
  }
}
