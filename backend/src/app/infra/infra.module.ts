import { Module } from '@nestjs/common';
import { HostsImportService } from './hosts-import.service.ts';
import { HostsController } from './hosts.controller.ts';
import { HostsRepository } from './hosts.repository.ts';
import { HostsService } from './hosts.service.ts';
import { ReferencesRepository } from './references.repository.ts';

/** HelloSkyy-owned servers: inventory and the import of desired_state/hosts* files. */
@Module({
  controllers: [HostsController],
  providers: [HostsRepository, HostsService, HostsImportService, ReferencesRepository],
  exports: [HostsService, HostsRepository, ReferencesRepository],
})
export class InfraModule {}
