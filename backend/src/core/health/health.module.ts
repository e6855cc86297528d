import { Module } from '@nestjs/common';
import { OpenApiModule } from '../openapi/openapi.module.ts';
import { HealthController } from './health.controller.ts';

/** System endpoints: health, readiness, metrics, and the API's own description. */
@Module({ imports: [OpenApiModule], controllers: [HealthController] })
export class HealthModule {}
