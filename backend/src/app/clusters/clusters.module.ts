import { Inject, Module, type OnApplicationBootstrap, type OnModuleInit } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import { CONFIG } from '../../core/tokens.ts';
import { ClusterInventoryController } from './cluster-inventory.controller.ts';
import { ClusterInventoryRepository } from './cluster-inventory.repository.ts';
import { ClusterJobs } from './cluster-jobs.ts';
import { ClusterSyncService } from './cluster-sync.service.ts';
import { ClustersController } from './clusters.controller.ts';
import { ClustersRepository } from './clusters.repository.ts';
import { ClustersService } from './clusters.service.ts';
import { PROXMOX_TUNING, ProxmoxConnections } from './proxmox-connection.ts';
import { VmPlansService } from './vm-plans.service.ts';

@Module({
  controllers: [ClustersController, ClusterInventoryController],
  providers: [
    ClustersRepository,
    ClustersService,
    ClusterInventoryRepository,
    ClusterSyncService,
    VmPlansService,
    ClusterJobs,
    ProxmoxConnections,
    // Tests shorten task polling here; production uses the client's defaults.
    { provide: PROXMOX_TUNING, useValue: {} },
  ],
  exports: [ClustersService, ClusterSyncService, ProxmoxConnections],
})
export class ClustersModule implements OnModuleInit, OnApplicationBootstrap {
  constructor(
    @Inject(ClustersService) private readonly clusters: ClustersService,
    @Inject(ClusterJobs) private readonly jobs: ClusterJobs,
    @Inject(CONFIG) private readonly config: SkyyConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register();
  }

  /** Clusters declared in config.yaml appear in the inventory at start-up. */
  async onApplicationBootstrap(): Promise<void> {
    await this.clusters.syncFromConfig(this.config.clusters);
  }
}
