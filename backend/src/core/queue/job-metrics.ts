import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics/registry.ts';

/**
 * Created once per process (a registry refuses a second metric of the same name), shared by
 * every queue in it: tests run several servers in one process.
 */
export const jobsTotal = new Counter({
  name: 'skyy_jobs_total',
  help: 'Job executions that ended, by type and outcome (succeeded, failed, cancelled).',
  labelNames: ['type', 'status'] as const,
  registers: [metricsRegistry],
});

export const jobDurationSeconds = new Histogram({
  name: 'skyy_job_duration_seconds',
  help: 'Time a job handler ran, per execution.',
  labelNames: ['type'] as const,
  buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 900, 3600],
  registers: [metricsRegistry],
});

export const jobsRunning = new Gauge({
  name: 'skyy_jobs_running',
  help: 'Jobs running in this process right now.',
  registers: [metricsRegistry],
});
