import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { z } from 'zod';
import { AgentAuthenticator } from '../../core/http/agent-authenticator.ts';
import { JobQueue, QueueModule, Schedules } from '../../core/queue/index.ts';
import { GpuAgentAuthenticator } from './gpu-agent-authenticator.ts';
import { GpuAgentsController } from './gpu-agents.controller.ts';
import { GpuAgentsRepository } from './gpu-agents.repository.ts';
import { GpuAgentsService } from './gpu-agents.service.ts';
import { GpuConfigWaiters } from './gpu-config-waiters.ts';
import { GpuTelemetryService } from './gpu-telemetry.service.ts';
import { GpusController } from './gpus.controller.ts';
import { GpusRepository } from './gpus.repository.ts';

export const GPUS_DOWNSAMPLE = 'gpus.downsample';
export const GPUS_CHECK_AGENTS = 'gpus.check-agents';

/**
 * The backend side of the GPU agent (components/gpu-agent): agent tokens, central config,
 * heartbeats, readings history with downsampling, staleness alerts and the fleet API.
 */
@Module({
  imports: [QueueModule],
  controllers: [GpuAgentsController, GpusController],
  providers: [
    GpuAgentsRepository,
    GpusRepository,
    GpuAgentsService,
    GpuConfigWaiters,
    GpuTelemetryService,
    { provide: AgentAuthenticator, useClass: GpuAgentAuthenticator },
  ],
  exports: [AgentAuthenticator, GpuTelemetryService, GpuAgentsService],
})
export class GpusModule implements OnModuleInit {
  constructor(
    @Inject(JobQueue) private readonly queue: JobQueue,
    @Inject(Schedules) private readonly schedules: Schedules,
    @Inject(GpuTelemetryService) private readonly telemetry: GpuTelemetryService,
  ) {}

  onModuleInit(): void {
    this.queue.register(GPUS_DOWNSAMPLE, async () => this.telemetry.downsample(), {
      payloadSchema: z.object({}),
      startableFromApi: true,
      description:
        'GPU readings: raw older than 24 h into 5-minute averages; averages older than 30 days dropped.',
    });
    this.queue.register(
      GPUS_CHECK_AGENTS,
      async () => ({ staleAlerts: (await this.telemetry.checkAgents()).length }),
      {
        payloadSchema: z.object({}),
        description: 'Raises an alert for every GPU agent silent for 3 heartbeats.',
      },
    );
    this.schedules.define({
      name: GPUS_DOWNSAMPLE,
      cron: '*/10 * * * *',
      jobType: GPUS_DOWNSAMPLE,
      description: 'Downsample GPU readings every 10 minutes.',
    });
    this.schedules.define({
      name: GPUS_CHECK_AGENTS,
      cron: '*/5 * * * *',
      jobType: GPUS_CHECK_AGENTS,
      // Heartbeats of the other agents check every 30 s; this covers a fleet of one (or none left).
      description: 'Look for silent GPU agents every 5 minutes.',
    });
  }
}
