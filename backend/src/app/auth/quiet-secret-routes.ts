import { Inject, Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';

/** Routes whose path itself carries a secret (the invite token of the registration page). */
export const SECRET_PATH_ROUTES: ReadonlySet<string> = new Set(['/api/v1/auth/invites/:token']);

/**
 * Fastify logs every request's URL ("incoming request" / "request completed"); for the routes
 * above that would write a live invite token into the log. They log at `warn` and up only
 * (errors still appear, via the problem filter, without the URL's secret being the point).
 * Runs at construction, before Nest registers the routes, so the onRoute hook sees them.
 */
@Injectable()
export class QuietSecretRoutes {
  constructor(@Inject(HttpAdapterHost) host: HttpAdapterHost) {
    const fastify = host.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRoute', (route) => {
      if (SECRET_PATH_ROUTES.has(route.url)) route.logLevel = 'warn';
    });
  }
}
