import type { Cluster, JobDetail, JobLogPage } from '@skyy/contracts';
import {
  generateSelfSignedCertificate,
  startProxmoxSimulator,
  type GenerateOptions,
  type ProxmoxSimulator,
} from '@skyy/sim-proxmox';
import { waitFor } from '../../../core/queue/testing/queue-kit.ts';
import type { TestServer } from '../../../../test/harness.ts';
import { PROXMOX_TUNING, type ProxmoxTuning } from '../proxmox-connection.ts';

export const SIM_TOKEN = { id: 'root@pam!skyy', secret: 'skyy-simulator-secret' };

/** A Proxmox simulator over HTTPS with a fresh self-signed certificate, as a new PVE node has. */
export async function startTlsSimulator(
  generate: GenerateOptions = {},
): Promise<{ sim: ProxmoxSimulator; fingerprint: string }> {
  const tls = generateSelfSignedCertificate();
  const sim = await startProxmoxSimulator({
    tls: { cert: tls.cert, key: tls.key },
    generate: { nodes: 3, gpusPerNode: 2, ...generate },
    taskDurationMs: 5,
  });
  return { sim, fingerprint: tls.fingerprint256 };
}

/** Quick task polls and retries, so tests do not wait on production timings. */
export function shortenProxmoxTimings(t: TestServer): void {
  const tuning = t.server.app.get<symbol, ProxmoxTuning>(PROXMOX_TUNING);
  Object.assign(tuning, {
    tasks: { pollIntervalMs: 10, timeoutMs: 30_000 },
    retry: { attempts: 6, baseDelayMs: 5, maxDelayMs: 40 },
  } satisfies ProxmoxTuning);
}

/** Registers the simulator as a cluster through the API (secret sealed, fingerprint pinned). */
export async function addSimulatorCluster(
  t: TestServer,
  admin: Record<string, string>,
  sim: ProxmoxSimulator,
  fingerprint: string,
  name = 'lab',
): Promise<Cluster> {
  const res = await t.request({
    method: 'POST',
    url: '/api/v1/clusters',
    headers: admin,
    body: {
      name,
      type: 'proxmox',
      apiUrl: `${sim.url}/api2/json`,
      tokenId: SIM_TOKEN.id,
      tokenSecret: SIM_TOKEN.secret,
      tls: { fingerprint },
    },
  });
  if (res.status !== 201) throw new Error(`cluster create failed: ${res.status} ${res.body}`);
  return res.json<Cluster>();
}

export async function settledJob(
  t: TestServer,
  headers: Record<string, string>,
  id: string,
  timeoutMs = 60_000,
): Promise<JobDetail> {
  return waitFor(
    `job ${id} to finish`,
    async () => {
      const job = (await t.request({ method: 'GET', url: `/api/v1/jobs/${id}`, headers })).json<JobDetail>();
      return ['succeeded', 'failed', 'cancelled'].includes(job.status) && job;
    },
    timeoutMs,
  );
}

export async function jobLog(t: TestServer, headers: Record<string, string>, id: string): Promise<string[]> {
  const page = (
    await t.request({ method: 'GET', url: `/api/v1/jobs/${id}/logs?limit=1000`, headers })
  ).json<JobLogPage>();
  return page.items.map((l) => l.message);
}
