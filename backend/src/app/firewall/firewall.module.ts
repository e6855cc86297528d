import { Inject, Module, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import { JobQueue, Schedules } from '../../core/queue/index.ts';
import { CONFIG } from '../../core/tokens.ts';
import {
  FIREWALL_STATUS_JOB,
  FIREWALL_STATUS_SCHEDULE,
  FirewallStatusService,
  firewallStatusPayloadSchema,
} from './firewall-status.service.ts';
import {
  FIREWALL_SYNC_JOB,
  FirewallSyncService,
  firewallSyncPayloadSchema,
} from './firewall-sync.service.ts';
import { FirewallTargets } from './firewall-target.ts';
import { FirewallsController } from './firewalls.controller.ts';
import { FirewallsRepository } from './firewalls.repository.ts';
import { FirewallsService } from './firewalls.service.ts';

/**
 * pfSense firewalls: inventory (config.yaml `firewalls:` and the API), desired networking,
 * plan / apply (job `firewall.sync`) and the status + drift monitor (schedule `firewall.status`),
 * wrapping @skyy/pfsense.
 */
@Module({
  controllers: [FirewallsController],
  providers: [
    FirewallsRepository,
    FirewallsService,
    FirewallTargets,
    FirewallSyncService,
    FirewallStatusService,
  ],
  exports: [FirewallsService],
})
export class FirewallModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @Inject(FirewallsService) private readonly firewalls: FirewallsService,
    @Inject(FirewallSyncService) private readonly sync: FirewallSyncService,
    @Inject(FirewallStatusService) private readonly status: FirewallStatusService,
    @Inject(JobQueue) private readonly jobs: JobQueue,
    @Inject(Schedules) private readonly schedules: Schedules,
    @Inject(CONFIG) private readonly config: SkyyConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(FIREWALL_SYNC_JOB, (payload, ctx) => this.sync.runSyncJob(payload, ctx), {
      payloadSchema: firewallSyncPayloadSchema,
      description: 'Brings a pfSense firewall to its networking file (VIPs, 1:1 NAT, rules, DHCP mappings).',
    });
    this.jobs.register(FIREWALL_STATUS_JOB, (payload, ctx) => this.status.runStatusJob(payload, ctx), {
      payloadSchema: firewallStatusPayloadSchema,
      startableFromApi: true,
      description: 'Collects status and drift of every firewall (or one: firewallId).',
      maxAttempts: 1,
    });
    this.schedules.define({
      name: FIREWALL_STATUS_SCHEDULE,
      cron: '*/5 * * * *',
      jobType: FIREWALL_STATUS_JOB,
      payload: {},
      description: 'Firewall status and drift for the console, every 5 minutes.',
    });
  }

  /** Firewalls declared in config.yaml appear in the inventory at start-up. */
  async onApplicationBootstrap(): Promise<void> {
    await this.firewalls.syncFromConfig(this.config.firewalls, this.config.sites);
  }
}
