import { Controller, Delete, Get, HttpCode, Inject, Patch, Post } from '@nestjs/common';
import {
  clusterCreateSchema,
  clusterListQuerySchema,
  clusterPageSchema,
  clusterSchema,
  clusterUpdateSchema,
  type ClusterCreate,
  type ClusterListQuery,
  type ClusterUpdate,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { ClustersService } from './clusters.service.ts';

/** Clusters are HelloSkyy infrastructure: staff only, customers never see them. */
@Controller('api/v1/clusters')
export class ClustersController {
  constructor(@Inject(ClustersService) private readonly clusters: ClustersService) {}

  @Get()
  @Roles('viewer')
  @Returns(clusterPageSchema)
  list(@CurrentCaller() caller: Caller, @ValidQuery(clusterListQuerySchema) query: ClusterListQuery) {
    return this.clusters.list(caller, query);
  }

  @Get(':id')
  @Roles('viewer')
  @Returns(clusterSchema)
  get(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.clusters.get(caller, id);
  }

  @Post()
  @Roles('admin')
  @Returns(clusterSchema, 201)
  create(@CurrentCaller() caller: Caller, @ValidBody(clusterCreateSchema) body: ClusterCreate) {
    return this.clusters.create(caller, body);
  }

  @Patch(':id')
  @Roles('admin')
  @Returns(clusterSchema)
  update(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(clusterUpdateSchema) body: ClusterUpdate,
  ) {
    return this.clusters.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.clusters.delete(caller, id);
  }
}
