import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { NotFound } from '../errors/problems.ts';
import { Public } from '../http/roles.ts';
import {
  hasConsoleBuild,
  isHashedAsset,
  isServerPath,
  looksLikeFile,
  missingBuildPage,
  resolveConsoleFile,
} from './console-files.ts';
import { CONSOLE_DIR } from './web.tokens.ts';

const oneYearSeconds = 365 * 24 * 60 * 60;

/**
 * Serves the built web console: its files as they are, and index.html for every other path
 * that is not the API's, so deep links such as /hosts/<id> open the right page.
 */
@Controller()
export class WebController {
  constructor(@Inject(CONSOLE_DIR) private readonly root: string) {}

  @Get()
  @Public()
  index(@Res() reply: FastifyReply): FastifyReply {
    return this.sendIndex(reply);
  }

  @Get('*')
  @Public()
  file(@Req() request: FastifyRequest, @Res() reply: FastifyReply): FastifyReply {
    const urlPath = request.url.split('?')[0] ?? '/';
    if (isServerPath(urlPath)) throw new NotFound(`The route ${request.method} ${urlPath}`);
    const relative = resolveConsoleFile(this.root, urlPath);
    if (relative === 'index.html') return this.sendIndex(reply);
    if (relative) {
      if (isHashedAsset(relative)) {
        return reply.sendFile(relative, this.root, { maxAge: oneYearSeconds * 1000, immutable: true });
      }
      return reply.header('cache-control', 'no-cache').sendFile(relative, this.root, { cacheControl: false });
    }
    if (looksLikeFile(urlPath)) throw new NotFound(`The file ${urlPath}`);
    return this.sendIndex(reply);
  }

  private sendIndex(reply: FastifyReply): FastifyReply {
    void reply.header('cache-control', 'no-cache');
    if (!hasConsoleBuild(this.root)) {
      return reply.type('text/html; charset=utf-8').send(missingBuildPage);
    }
    return reply.sendFile('index.html', this.root, { cacheControl: false });
  }
}
