import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuditModule } from './app/audit/audit.module.ts';
import { AuthModule } from './app/auth/auth.module.ts';
import { CustomersModule } from './app/customers/customers.module.ts';
import { CoreModule, type CoreDependencies } from './core/core.module.ts';
import { ProblemFilter } from './core/errors/problem.filter.ts';
import { AccessGuard } from './core/http/access.guard.ts';

@Module({})
export class AppModule {
  static with(deps: CoreDependencies): DynamicModule {
    return {
      module: AppModule,
      imports: [CoreModule.with(deps), AuditModule, AuthModule, CustomersModule],
      providers: [
        { provide: APP_GUARD, useClass: AccessGuard },
        { provide: APP_FILTER, useClass: ProblemFilter },
      ],
    };
  }
}
