import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { postgresUrl } from '../../../test/test-databases.ts';
import { waitFor } from '../../core/queue/testing/queue-kit.ts';
import { openReplicaCluster, type ReplicaCluster } from '../../core/queue/testing/replicas.ts';
import { GpuConfigWaiters } from './gpu-config-waiters.ts';
import { gpuConfigYaml } from './testing/gpu-state.ts';
import { issueAgentToken } from './testing/agent-api.ts';

const databaseUrl = postgresUrl();
const redisUrl = process.env.REDIS_URL;

/**
 * An agent long-polls whichever replica its load balancer picked; the operator saves on another.
 * The change crosses over Redis pub/sub. Runs where DATABASE_URL and REDIS_URL are set (CI).
 */
describe.runIf(databaseUrl && redisUrl)('GPU config long-poll across replicas (Redis event bus)', () => {
  let cluster: ReplicaCluster;
  beforeAll(async () => {
    cluster = await openReplicaCluster(databaseUrl as string, redisUrl as string);
  });
  afterAll(() => cluster.close());

  it('wakes a long-poll held on replica B when the config is saved on replica A', async () => {
    const [a, b] = [await cluster.start('api'), await cluster.start('api')];
    const admin = (await signInAs(a, 'admin')).headers;
    const operator = (await signInAs(a, 'operator')).headers;
    const save = (shutdownTemp: number) =>
      a.request({
        method: 'PUT',
        url: '/api/v1/gpus/config/replica-host',
        headers: operator,
        body: { yaml: gpuConfigYaml({ shutdownTemp }) },
      });
    expect((await save(80)).status).toBe(200);
    const { token } = await issueAgentToken(a, admin, 'replica-host');
    const headers = { authorization: `Bearer ${token}` };
    const first = await fetch(`${b.url}/api/v1/gpu-agents/replica-host/config`, { headers });
    await first.text();

    // 55 s: longer than the test timeout, so only the change can answer it in time.
    const held = fetch(`${b.url}/api/v1/gpu-agents/replica-host/config?wait=55`, {
      headers: { ...headers, 'if-none-match': first.headers.get('etag') ?? '' },
    });
    await waitFor('replica B to hold the request', () => b.server.app.get(GpuConfigWaiters).heldCount === 1);
    expect(a.server.app.get(GpuConfigWaiters).heldCount).toBe(0);

    const saved = await save(82);
    const answer = await held;
    expect(answer.status).toBe(200);
    expect(await answer.text()).toContain('shutdown_temp: 82');
    expect(answer.headers.get('etag')).toBe(saved.json<{ etag: string }>().etag);
    await a.close();
    await b.close();
  });
});
