import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * One Prometheus registry per process, served at /metrics. Modules create their metrics
 * against it (`new Counter({ registers: [metricsRegistry], … })`), named `skyy_<area>_<what>`.
 */
export const metricsRegistry = new Registry();
collectDefaultMetrics({ register: metricsRegistry, prefix: 'skyy_process_' });
