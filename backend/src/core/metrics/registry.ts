import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, served at /metrics. Modules create their metrics
 * against it (`new Counter({ registers: [metricsRegistry], … })`), named `skyy_<area>_<what>`.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'skyy_process_' });
// prom-client names three of its gauges `…_total`, which promtool rejects (only counters may end
// in _total) and which rate() would misread; they are debugging aids, so they are left out.
for (const gauge of ['active_handles_total', 'active_requests_total', 'active_resources_total']) {
  metricsRegistry.removeSingleMetric(`skyy_process_nodejs_${gauge}`);
}
