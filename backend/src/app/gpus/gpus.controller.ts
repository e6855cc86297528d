import { Controller, Delete, Get, HttpCode, Inject, Param, Put } from '@nestjs/common';
import {
  gpuConfigPutSchema,
  gpuConfigSchema,
  gpuFleetQuerySchema,
  gpuFleetSchema,
  gpuHistoryQuerySchema,
  gpuHistorySchema,
  type GpuConfigPut,
  type GpuFleetQuery,
  type GpuHistoryQuery,
} from '@skyy/contracts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { Roles } from '../../core/http/roles.ts';
import { Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { GpuAgentsService } from './gpu-agents.service.ts';
import { GpuTelemetryService } from './gpu-telemetry.service.ts';

/** The GPU fleet for the console: latest readings, history, alerts, and the central config. */
@Controller('api/v1/gpus')
export class GpusController {
  constructor(
    @Inject(GpuTelemetryService) private readonly telemetry: GpuTelemetryService,
    @Inject(GpuAgentsService) private readonly agents: GpuAgentsService,
  ) {}

  @Get()
  @Roles('viewer')
  @Returns(gpuFleetSchema)
  fleet(@ValidQuery(gpuFleetQuerySchema) query: GpuFleetQuery) {
    return this.telemetry.fleet(query.host);
  }

  /** The fleet default gpu_config.yaml, used by every host without one of its own. */
  @Get('config')
  @Roles('viewer')
  @Returns(gpuConfigSchema)
  defaultConfig() {
    return this.agents.getConfig(null);
  }

  @Put('config')
  @Roles('operator')
  @Returns(gpuConfigSchema)
  putDefaultConfig(@CurrentCaller() caller: Caller, @ValidBody(gpuConfigPutSchema) body: GpuConfigPut) {
    return this.agents.putConfig(caller, null, body.yaml);
  }

  /** The host's own config, else the fleet default (`scope` says which). */
  @Get('config/:host')
  @Roles('viewer')
  @Returns(gpuConfigSchema)
  hostConfig(@Param('host') host: string) {
    return this.agents.getConfig(host);
  }

  /** Reaches the host's agent at its next poll (within a minute); 422 names each bad key and line. */
  @Put('config/:host')
  @Roles('operator')
  @Returns(gpuConfigSchema)
  putHostConfig(
    @CurrentCaller() caller: Caller,
    @Param('host') host: string,
    @ValidBody(gpuConfigPutSchema) body: GpuConfigPut,
  ) {
    return this.agents.putConfig(caller, host, body.yaml);
  }

  /** The host goes back to the fleet default. */
  @Delete('config/:host')
  @Roles('operator')
  @HttpCode(204)
  async deleteHostConfig(@CurrentCaller() caller: Caller, @Param('host') host: string): Promise<void> {
    await this.agents.deleteConfig(caller, host);
  }

  /** Forgets a GPU removed from its host, with its history and alerts. */
  @Delete(':uuid')
  @Roles('operator')
  @HttpCode(204)
  async deleteGpu(@CurrentCaller() caller: Caller, @Param('uuid') uuid: string): Promise<void> {
    await this.telemetry.deleteGpu(caller, uuid);
  }

  /** A downsampled series for sparklines: temperature, fan, power, utilization. */
  @Get(':uuid/history')
  @Roles('viewer')
  @Returns(gpuHistorySchema)
  history(@Param('uuid') uuid: string, @ValidQuery(gpuHistoryQuerySchema) query: GpuHistoryQuery) {
    return this.telemetry.history(uuid, query);
  }
}
