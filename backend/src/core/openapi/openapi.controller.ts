import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Controller, Get, Header, Inject, Param, Res } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { FastifyReply } from 'fastify';
import { NotFound } from '../errors/problems.ts';
import { Public } from '../http/roles.ts';
import { buildOpenApiDocument } from './openapi-document.ts';
import { routeTable } from './route-table.ts';

const require = createRequire(import.meta.url);
const swaggerDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
};
const VERSION = (require('../../../package.json') as { version: string }).version;

/** The API described by itself: /api/openapi.json and a browsable UI at /api/docs. */
@Controller('api')
export class OpenApiController {
  private document: Record<string, unknown> | null = null;

  constructor(@Inject(ModuleRef) private readonly moduleRef: ModuleRef) {}

  @Get('openapi.json')
  @Public()
  openapi() {
    this.document ??= buildOpenApiDocument(routeTable(this.moduleRef), VERSION);
    return this.document;
  }

  @Get('docs')
  @Public()
  @Header('content-type', 'text/html; charset=utf-8')
  docs(): string {
    return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Skyy Command API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/init.js"></script></body></html>`;
  }

  @Get('docs/assets/:file')
  @Public()
  asset(@Param('file') file: string, @Res() reply: FastifyReply): void {
    if (file === 'init.js') {
      void reply
        .type('application/javascript; charset=utf-8')
        .send(`SwaggerUIBundle({ url: '/api/openapi.json', dom_id: '#ui', withCredentials: true });`);
      return;
    }
    const type = ASSETS[file];
    if (!type) throw new NotFound(`Asset ${file}`);
    void reply
      .type(type)
      .header('cache-control', 'public, max-age=86400')
      .send(readFileSync(path.join(swaggerDir, file)));
  }
}
