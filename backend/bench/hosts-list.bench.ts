/**
 * `npm run bench`: list 10,000 hosts with filters at 50 concurrent clients over loopback,
 * printing p50/p95/p99 latency and requests/s per scenario, for SQLite and, when DATABASE_URL
 * is set, PostgreSQL. Traffic goes to 127.0.0.1 only; each scenario runs for a bounded time.
 */
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import type { HostLabelsTable, HostsTable } from '../src/app/infra/hosts.table.ts';
import type { Dialect } from '../src/core/database/database.ts';
import { signInAs } from '../test/auth-helpers.ts';
import { startTestServer } from '../test/harness.ts';
import { testDatabases } from '../test/test-databases.ts';

const HOSTS = Number(process.env.BENCH_HOSTS ?? 10_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 8);

const scenarios: [string, string][] = [
  ['first page (50, by hostname)', '/api/v1/hosts?limit=50'],
  ['filter role=gpu', '/api/v1/hosts?role=gpu&limit=50'],
  ['filter tag=edge + gpu=true', '/api/v1/hosts?tag=edge&gpu=true&limit=50'],
  ['text search q=proxmox-01', '/api/v1/hosts?q=proxmox-01&limit=50'],
  ['newest first, 100 per page', '/api/v1/hosts?sort=createdAt&order=desc&limit=100'],
];

async function seed(t: Awaited<ReturnType<typeof startTestServer>>): Promise<void> {
  const db = t.server.db.kysely;
  const roles = ['proxmox', 'ceph-osd', 'gpu', 'tailscale'];
  const tags = ['ceph', 'gpu', 'nomad', 'edge'];
  const batch = 250;
  for (let start = 0; start < HOSTS; start += batch) {
    const hosts: HostsTable[] = [];
    const labels: HostLabelsTable[] = [];
    for (let i = start; i < Math.min(start + batch, HOSTS); i++) {
      const id = randomUUID();
      const at = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
      const gpu = i % 3 === 0;
      hosts.push({
        id,
        hostname: `puma-proxmox-${String(i).padStart(5, '0')}`,
        ip_address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        settings: JSON.stringify({
          os: 'proxmox',
          gpu,
          storage: { ceph: { enabled: true, osd_devices: ['/dev/sda'] } },
        }),
        os: 'proxmox',
        gpu: gpu ? 1 : 0,
        cluster_id: null,
        customer_id: null,
        source: 'bench',
        source_yaml: null,
        created_at: at,
        updated_at: at,
      });
      roles.forEach((value, position) => {
        if (value !== 'gpu' || gpu) labels.push({ host_id: id, kind: 'role' as const, value, position });
      });
      tags.forEach((value, position) => {
        if (i % (position + 2) === 0) labels.push({ host_id: id, kind: 'tag' as const, value, position });
      });
    }
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('hosts').values(hosts).execute();
      for (let j = 0; j < labels.length; j += 500)
        await tx
          .insertInto('host_labels')
          .values(labels.slice(j, j + 500))
          .execute();
    });
  }
}

/** Runs autocannon and keeps every response time, since its summary has no p95. */
async function load(url: string, headers: Record<string, string>) {
  const latencies: number[] = [];
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      { url, connections: CONNECTIONS, duration: SECONDS, headers },
      (error, done) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(done),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      latencies.push(responseTime);
    });
  });
  latencies.sort((a, b) => a - b);
  return {
    requestsPerSecond: Math.round(result.requests.average),
    latencies,
    failed: result.errors + result.non2xx + result.timeouts,
  };
}

function percentile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

async function benchDialect(dialect: Dialect): Promise<void> {
  // The server's default PostgreSQL pool (10), not the tests' small one.
  const t = await startTestServer(dialect, { server: { port: 0, host: '127.0.0.1' } }, { poolSize: 10 });
  try {
    const seeded = performance.now();
    await seed(t);
    const { headers } = await signInAs(t, 'viewer');
    const base = await t.server.listen();
    console.log(
      `\n${dialect}: ${HOSTS} hosts seeded in ${Math.round(performance.now() - seeded)} ms; ${CONNECTIONS} connections, ${SECONDS} s per scenario`,
    );
    console.log('scenario                          req/s    p50 ms  p95 ms  p99 ms  errors');
    for (const [name, path] of scenarios) {
      const { requestsPerSecond, latencies, failed } = await load(base + path, headers);
      const [p50, p95, p99] = [0.5, 0.95, 0.99].map((q) => percentile(latencies, q).toFixed(1).padStart(6));
      console.log(
        `${name.padEnd(32)} ${String(requestsPerSecond).padStart(6)}  ${p50}  ${p95}  ${p99}  ${failed}`,
      );
    }
  } finally {
    await t.close();
  }
}

for (const dialect of testDatabases()) await benchDialect(dialect);
