import { Module } from '@nestjs/common';
import { InfraModule } from '../infra/infra.module.ts';
import { DeploymentsController } from './deployments.controller.ts';
import { DeploymentsRepository } from './deployments.repository.ts';
import { DeploymentsService } from './deployments.service.ts';

@Module({
  imports: [InfraModule],
  controllers: [DeploymentsController],
  providers: [DeploymentsRepository, DeploymentsService],
  exports: [DeploymentsService],
})
export class DeploymentsModule {}
