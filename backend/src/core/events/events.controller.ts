import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { eventStreamQuerySchema, type EventStreamQuery } from '@skyy/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { CurrentCaller, type Caller } from '../http/caller.ts';
import { Roles } from '../http/roles.ts';
import { ValidQuery } from '../http/zod-params.ts';
import { EventStreamService } from './event-stream.service.ts';

@Controller('api/v1/events')
export class EventsController {
  constructor(@Inject(EventStreamService) private readonly streams: EventStreamService) {}

  /** `text/event-stream`: `event: <type>` + `data: <json>` per live event; `?types=a,b` filters. */
  @Get()
  @Roles('viewer', 'customer')
  stream(
    @CurrentCaller() caller: Caller,
    @ValidQuery(eventStreamQuerySchema) query: EventStreamQuery,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): void {
    // The stream outlives this handler: Fastify must not send a reply of its own.
    reply.hijack();
    this.streams.stream(caller, query.types, reply.raw, String(request.id));
  }
}
