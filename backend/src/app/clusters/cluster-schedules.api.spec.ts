import type { Cluster, ClusterSyncStatus, JobDetail, Page } from '@skyy/contracts';
import type { ProxmoxSimulator } from '@skyy/sim-proxmox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { Schedules } from '../../core/queue/index.ts';
import { waitFor } from '../../core/queue/testing/queue-kit.ts';
import { SIM_TOKEN, shortenProxmoxTimings, startTlsSimulator } from './testing/proxmox-lab.ts';

const SECRET_VAR = 'SKYY_TEST_CLUSTER_SCHEDULES_PVE_SECRET';

describe.each(testDatabases())('cluster sync schedules from config.yaml on %s', (dialect) => {
  let t: TestServer;
  let sim: ProxmoxSimulator;
  let viewer: Record<string, string>;

  beforeAll(async () => {
    let fingerprint: string;
    ({ sim, fingerprint } = await startTlsSimulator());
    // config.yaml clusters name their secret as env:NAME; the server reads it from its environment.
    process.env[SECRET_VAR] = SIM_TOKEN.secret;
    const entry = (name: string, interval?: string) => ({
      name,
      type: 'proxmox' as const,
      api_url: `${sim.url}/api2/json`,
      token_id: SIM_TOKEN.id,
      token_secret: `env:${SECRET_VAR}`,
      tls: { fingerprint, insecure: false },
      sync_interval: interval ?? '*/5 * * * *',
    });
    t = await startTestServer(dialect, { clusters: [entry('fast', '*/2 * * * *'), entry('steady')] });
    shortenProxmoxTimings(t);
    viewer = (await signInAs(t, 'viewer')).headers;
  });
  afterAll(async () => {
    Reflect.deleteProperty(process.env, SECRET_VAR);
    await t?.close();
    await sim?.close();
  });

  it("gives each sync_interval its own schedule and syncs only that interval's clusters", async () => {
    const schedules = t.server.app.get(Schedules);
    const names = (await schedules.list()).filter((s) => s.jobType === 'cluster.sync-all');
    expect(names.map((s) => [s.name, s.cron])).toEqual([
      ['cluster.sync', '*/5 * * * *'],
      ['cluster.sync */2 * * * *', '*/2 * * * *'],
    ]);

    expect(await schedules.tick('cluster.sync */2 * * * *', new Date(Date.UTC(2030, 0, 1, 0, 2)))).toBe(
      'enqueued',
    );
    const clusters = (await t.request({ method: 'GET', url: '/api/v1/clusters', headers: viewer })).json<
      Page<Cluster>
    >().items;
    const statusOf = async (name: string) => {
      const id = clusters.find((c) => c.name === name)?.id;
      return (
        await t.request({ method: 'GET', url: `/api/v1/clusters/${id}/status`, headers: viewer })
      ).json<ClusterSyncStatus>();
    };
    const fast = await waitFor('the fast cluster to sync', async () => {
      const status = await statusOf('fast');
      return status.lastSync !== 'never' && status;
    });
    expect(fast).toMatchObject({ lastSync: 'ok', counts: { nodes: 3 } });
    // The tick's job started syncs for the clusters on that interval only.
    const tickJob = (await schedules.list()).find((s) => s.name === 'cluster.sync */2 * * * *')?.lastJobId;
    const job = await waitFor('the tick job to finish', async () => {
      const detail = (
        await t.request({ method: 'GET', url: `/api/v1/jobs/${tickJob}`, headers: viewer })
      ).json<JobDetail>();
      return detail.status === 'succeeded' && detail;
    });
    expect(job.result).toEqual({ clusters: ['fast'] });
  });
});
