import { Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Res } from '@nestjs/common';
import {
  GPU_CONFIG_MAX_WAIT_SEC,
  gpuAgentConfigQuerySchema,
  gpuAgentCreatedSchema,
  gpuAgentCreateSchema,
  gpuAgentListSchema,
  gpuAgentStateSchema,
  type GpuAgentConfigQuery,
  type GpuAgentCreate,
  type GpuAgentState,
} from '@skyy/contracts';
import type { FastifyReply } from 'fastify';
import { CurrentAgent, type AgentCaller } from '../../core/http/agent-authenticator.ts';
import { CurrentCaller, type Caller } from '../../core/http/caller.ts';
import { AgentToken, Roles } from '../../core/http/roles.ts';
import { IdParam, Returns, ValidBody, ValidQuery } from '../../core/http/zod-params.ts';
import { GpuAgentsService } from './gpu-agents.service.ts';
import { GpuTelemetryService } from './gpu-telemetry.service.ts';

/**
 * GPU agents: admins issue and revoke one token per host; staff see every agent's last
 * heartbeat. The agent itself calls `:host/config` and `:host/heartbeat` with its token.
 */
@Controller('api/v1/gpu-agents')
export class GpuAgentsController {
  constructor(
    @Inject(GpuAgentsService) private readonly agents: GpuAgentsService,
    @Inject(GpuTelemetryService) private readonly telemetry: GpuTelemetryService,
  ) {}

  @Get()
  @Roles('viewer')
  @Returns(gpuAgentListSchema)
  list() {
    return this.agents.list();
  }

  /** The token is in this response only. */
  @Post()
  @Roles('admin')
  @Returns(gpuAgentCreatedSchema, 201)
  create(@CurrentCaller() caller: Caller, @ValidBody(gpuAgentCreateSchema) body: GpuAgentCreate) {
    return this.agents.create(caller, body);
  }

  @Delete(':id')
  @Roles('admin')
  @HttpCode(204)
  async revoke(@CurrentCaller() caller: Caller, @IdParam() id: string): Promise<void> {
    await this.agents.revoke(caller, id);
  }

  /**
   * gpu_config.yaml for the agent of `host` (its own, else the fleet default); 304 on a matching
   * If-None-Match. `?wait=N` holds that 304 up to N s until the config changes (long-poll: agents
   * behind NAT get changes in seconds without an inbound port); the `skyy-config-wait-max` header
   * tells agents this server can, so they stop polling on a timer.
   */
  @Get(':host/config')
  @AgentToken()
  async config(
    @CurrentAgent() agent: AgentCaller,
    @Param('host') host: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @ValidQuery(gpuAgentConfigQuerySchema) query: GpuAgentConfigQuery,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    void reply.header('skyy-config-wait-max', String(GPU_CONFIG_MAX_WAIT_SEC));
    // An agent that gives up (stopped, or its connection cut) frees its place at once.
    const left = new AbortController();
    reply.raw.once('close', () => {
      if (!reply.raw.writableFinished) left.abort();
    });
    const answer = await this.agents.agentConfig(agent, host, ifNoneMatch, query.wait, left.signal);
    void reply.header('etag', answer.etag).header('cache-control', 'no-cache');
    // Else the idle keep-alive connection holds up the server's close until the client drops it.
    if (answer.closeConnection) void reply.header('connection', 'close');
    if (answer.status === 304) {
      void reply.status(304);
      return '';
    }
    void reply.type('application/yaml; charset=utf-8');
    return answer.yaml;
  }

  @Post(':host/heartbeat')
  @AgentToken()
  @HttpCode(204)
  async heartbeat(
    @CurrentAgent() agent: AgentCaller,
    @Param('host') host: string,
    @ValidBody(gpuAgentStateSchema) body: GpuAgentState,
  ): Promise<void> {
    await this.telemetry.heartbeat(agent, host, body);
  }
}
