import { Controller, Get, HttpCode, Inject, Param, ParseIntPipe, Post } from '@nestjs/common';
import {
  clusterApplyRequestSchema,
  clusterApplySchema,
  clusterDriftSchema,
  clusterGpuListSchema,
  clusterGuestDetailSchema,
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
import { ValidationFailed } from '../../core/errors/problems.ts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { ClusterSyncService } from './cluster-sync.service.ts';
import { VmPlansService } from './vm-plans.service.ts';

const vmidPipe = new ParseIntPipe({
  exceptionFactory: () =>
    new ValidationFailed([{ path: 'params.vmid', message: 'must be a VMID (a whole number such as 100)' }]),
});

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

  @Get('guests/:vmid')
  @Roles('viewer')
  @Returns(clusterGuestDetailSchema)
  guest(@IdParam() id: string, @Param('vmid', vmidPipe) vmid: number) {
    return this.sync.guest(id, vmid);
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
