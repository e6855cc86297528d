import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from './app/audit/audit.module.ts';
import { AuthModule } from './app/auth/auth.module.ts';
import { ClustersModule } from './app/clusters/clusters.module.ts';
import { CustomersModule } from './app/customers/customers.module.ts';
import { DeploymentsModule } from './app/deployments/deployments.module.ts';
import { FirewallModule } from './app/firewall/firewall.module.ts';
import { GpusModule } from './app/gpus/gpus.module.ts';
import { InfraModule } from './app/infra/infra.module.ts';
import { JobsModule } from './app/jobs/jobs.module.ts';
import { CoreModule, type CoreDependencies } from './core/core.module.ts';
import { ProblemFilter } from './core/errors/problem.filter.ts';
import { HealthModule } from './core/health/health.module.ts';
import { AccessGuard } from './core/http/access.guard.ts';
import { WebModule } from './core/web/web.module.ts';

@Module({})
export class AppModule {
  static with(deps: CoreDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.with(deps),
        HealthModule,
        AuditModule,
        AuthModule,
        CustomersModule,
        InfraModule,
        ClustersModule,
        FirewallModule,
        DeploymentsModule,
        JobsModule,
        GpusModule,
        WebModule,
      ],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
