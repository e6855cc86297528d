import { Module } from '@nestjs/common';
import { EventStreamService } from './event-stream.service.ts';
import { EventsController } from './events.controller.ts';

/** GET /api/v1/events: the console's live feed (the bus itself comes from CoreModule). */
@Module({ controllers: [EventsController], providers: [EventStreamService], exports: [EventStreamService] })
export class EventsModule {}
