import type { FastifyInstance } from 'fastify';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './registry.ts';

const duration = new Histogram({
  name: 'skyy_http_request_duration_seconds',
  help: 'HTTP request duration by route template',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  registers: [metricsRegistry],
});

const requests = new Counter({
  name: 'skyy_http_requests_total',
  help: 'HTTP requests by route template and status',
  labelNames: ['method', 'route', 'status'],
  registers: [metricsRegistry],
});

/** Labels use the route template (`/api/v1/hosts/:id`), never the raw URL, so cardinality stays bounded. */
export function registerHttpMetrics(fastify: FastifyInstance): void {
  fastify.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1000);
  });
}
