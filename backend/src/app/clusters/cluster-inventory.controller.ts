import { Controller, Get, HttpCode, Inject, Post } from '@nestjs/common';
import {
  clusterApplyRequestSchema,
  clusterApplySchema,
  clusterDriftSchema,
  clusterGpuListSchema,
  clusterGuestListQuerySchema,
  clusterGuestPageSchema,
  clusterNodeListSchema,
  clusterPlanRequestSchema,
  clusterPlanSchema,
  clusterStorageListSchema,
  clusterSyncStartSchema,
  clusterSyncStatusSchema,
  type ClusterApplyRequest,
  type ClusterGuestListQuery,
  type ClusterPlanRequest,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { ClusterSyncService } from './cluster-sync.service.ts';
import { VmPlansService } from './vm-plans.service.ts';

/** What a Proxmox cluster holds (from the last sync), on-demand sync, and plan/apply of declared VMs. */
@Controller('api/v1/clusters/:id')
export class ClusterInventoryController {
  constructor(
    @Inject(ClusterSyncService) private readonly sync: ClusterSyncService,
    @Inject(VmPlansService) private readonly plans: VmPlansService,
  ) {}

  @Post('sync')
  @Roles('operator')
  @HttpCode(202)
  @Returns(clusterSyncStartSchema, 202)
  startSync(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.sync.requestSync(caller, id);
  }

  @Get('status')
  @Roles('viewer')
  @Returns(clusterSyncStatusSchema)
  status(@IdParam() id: string) {
    return this.sync.status(id);
  }

  @Get('nodes')
  @Roles('viewer')
  @Returns(clusterNodeListSchema)
  nodes(@IdParam() id: string) {
    return this.sync.nodes(id);
  }

  @Get('guests')
  @Roles('viewer')
  @Returns(clusterGuestPageSchema)
  guests(@IdParam() id: string, @ValidQuery(clusterGuestListQuerySchema) query: ClusterGuestListQuery) {
    return this.sync.guests(id, query);
  }

  @Get('storages')
  @Roles('viewer')
  @Returns(clusterStorageListSchema)
  storages(@IdParam() id: string) {
    return this.sync.storages(id);
  }

  @Get('gpus')
  @Roles('viewer')
  @Returns(clusterGpuListSchema)
  gpus(@IdParam() id: string) {
    return this.sync.gpus(id);
  }

  @Get('drift')
  @Roles('viewer')
  @Returns(clusterDriftSchema)
  drift(@IdParam() id: string) {
    return this.plans.drift(id);
  }

  @Post('plan')
  @Roles('operator')
  @HttpCode(200)
  @Returns(clusterPlanSchema)
  plan(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(clusterPlanRequestSchema) body: ClusterPlanRequest,
  ) {
    return this.plans.plan(caller, id, body);
  }

  @Post('apply')
  @Roles('operator')
  @HttpCode(202)
  @Returns(clusterApplySchema, 202)
  apply(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(clusterApplyRequestSchema) body: ClusterApplyRequest,
  ) {
    return this.plans.apply(caller, id, body);
  }
}
