import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { consoleDir } from './console-files.ts';
import { WebController } from './web.controller.ts';
import { CONSOLE_DIR } from './web.tokens.ts';

/**
 * The web console, served by the backend itself so that `npm start` is the whole product.
 * @fastify/static only lends `reply.sendFile` (range requests, ETag, safe paths); the routes
 * are the controller's so that they carry access rules like every other route.
 */
@Module({
  controllers: [WebController],
  providers: [{ provide: CONSOLE_DIR, useFactory: () => consoleDir() }],
})
export class WebModule implements OnModuleInit {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(CONSOLE_DIR) private readonly root: string,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    void fastify.register(fastifyStatic, { root: this.root, serve: false });
  }
}
