import { Controller, Delete, Get, HttpCode, Inject, Patch, Post } from '@nestjs/common';
import {
  deploymentCreateSchema,
  deploymentListQuerySchema,
  deploymentPageSchema,
  deploymentSchema,
  deploymentUpdateSchema,
  type DeploymentCreate,
  type DeploymentListQuery,
  type DeploymentUpdate,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { DeploymentsService } from './deployments.service.ts';

@Controller('api/v1/deployments')
export class DeploymentsController {
  constructor(@Inject(DeploymentsService) private readonly deployments: DeploymentsService) {}

  @Get()
  @Roles('viewer', 'customer')
  @Returns(deploymentPageSchema)
  list(@CurrentCaller() caller: Caller, @ValidQuery(deploymentListQuerySchema) query: DeploymentListQuery) {
    return this.deployments.list(caller, query);
  }

  @Get(':id')
  @Roles('viewer', 'customer')
  @Returns(deploymentSchema)
  get(@CurrentCaller() caller: Caller, @IdParam() id: string) {
    return this.deployments.get(caller, id);
  }

  @Post()
  @Roles('operator')
  @Returns(deploymentSchema, 201)
  create(@CurrentCaller() caller: Caller, @ValidBody(deploymentCreateSchema) body: DeploymentCreate) {
    return this.deployments.create(caller, body);
  }

  @Patch(':id')
  @Roles('operator')
  @Returns(deploymentSchema)
  update(
    @CurrentCaller() caller: Caller,
    @IdParam() id: string,
    @ValidBody(deploymentUpdateSchema) body: DeploymentUpdate,
  ) {
    return this.deployments.update(caller, id, body);
  }

  @Delete(':id')
  @Roles('operator')
  @HttpCode(204)
  async delete(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.deployments.delete(caller, id);
  }
}
