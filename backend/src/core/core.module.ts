import { Global, Module, type DynamicModule, type Provider } from '@nestjs/common';
import type { SkyyConfig } from '@skyy/contracts';
import type { Logger } from 'pino';
import type { Db } from './database/database.ts';
import { EventBus } from './events/event-bus.ts';
import { SecretBox } from './secrets/secret-box.ts';
import { CONFIG, DB, LOGGER } from './tokens.ts';

export interface CoreDependencies {
  config: SkyyConfig;
  db: Db;
  logger: Logger;
  secrets: SecretBox;
  events: EventBus;
}

/** Process-wide services, created before Nest starts so the CLI and tests can make their own. */
@Global()
@Module({})
export class CoreModule {
  static with(deps: CoreDependencies): DynamicModule {
    const providers: Provider[] = [
      { provide: CONFIG, useValue: deps.config },
      { provide: DB, useValue: deps.db },
      { provide: LOGGER, useValue: deps.logger },
      { provide: SecretBox, useValue: deps.secrets },
      { provide: EventBus, useValue: deps.events },
    ];
    return { module: CoreModule, providers, exports: providers };
  }
}
