import { Inject, Module, type OnApplicationBootstrap } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import { CONFIG } from '../../core/tokens.ts';
import { ClustersController } from './clusters.controller.ts';
import { ClustersRepository } from './clusters.repository.ts';
import { ClustersService } from './clusters.service.ts';

@Module({
  controllers: [ClustersController],
  providers: [ClustersRepository, ClustersService],
  exports: [ClustersService],
})
export class ClustersModule implements OnApplicationBootstrap {
  constructor(
    @Inject(ClustersService) private readonly clusters: ClustersService,
    @Inject(CONFIG) private readonly config: SkyyConfig,
  ) {}

  /** Clusters declared in config.yaml appear in the inventory at start-up. */
  async onApplicationBootstrap(): Promise<void> {
    await this.clusters.syncFromConfig(this.config.clusters);
  }
}
