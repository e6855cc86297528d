import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUNDLED_CONFIG, runAgent, type RunningAgent } from '@skyy/gpu-agent';
import type { GpuAgentList, GpuFleet, GpuHistory } from '@skyy/contracts';
import { createSimState, STATE_ENV, writeState } from '@skyy/sim-nvidia-smi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signInAs } from '../../../test/auth-helpers.ts';
import { startTestServer, type TestServer } from '../../../test/harness.ts';
import { testDatabases } from '../../../test/test-databases.ts';
import { GpuConfigWaiters } from './gpu-config-waiters.ts';
import { gpuConfigYaml } from './testing/gpu-state.ts';
import { issueAgentToken } from './testing/agent-api.ts';

/**
 * The real GPU agent (components/gpu-agent, in dry-run, reading the simulator's fake nvidia-smi)
 * pointed at a real test server over HTTP: it takes its config from Skyy Command, gets a change
 * pushed on its held long-poll, and its heartbeats become the fleet the console shows.
 */

const HOST = 'e2e-gpu-host';
const FAKE_NVIDIA_SMI = join(
  dirname(createRequire(import.meta.url).resolve('@skyy/sim-nvidia-smi')),
  '..',
  'bin',
  'nvidia-smi',
);

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.each(testDatabases())('the GPU agent against Skyy Command on %s', (dialect) => {
  let t: TestServer;
  let dir: string;
  let agent: RunningAgent | undefined;
  let viewer: Record<string, string>;
  let operator: Record<string, string>;
  const logLines: string[] = [];
  const inFlight = new Set<Promise<Response>>();
  /** The agent's config requests, in the order it started them. */
  const configRequests: string[] = [];
  /** The agent's fetch, with each response read to the end so that its connection is idle once settled. */
  const trackedFetch: typeof fetch = (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    if (url.includes('/config')) configRequests.push(url);
    const request = fetch(input, init).then(async (res) => {
      const body = await res.arrayBuffer();
      const empty = [101, 204, 205, 304].includes(res.status);
      return new Response(empty ? null : body, {
        status: res.status,
        statusText: res.statusText,
        headers: res.headers,
      });
    });
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request)).catch(() => undefined);
    return request;
  };

  beforeAll(async () => {
    t = await startTestServer(dialect, { server: { port: 0, host: '127.0.0.1' } });
    const baseUrl = await t.server.listen();
    viewer = (await signInAs(t, 'viewer')).headers;
    operator = (await signInAs(t, 'operator')).headers;
    const admin = (await signInAs(t, 'admin')).headers;
    const { token } = await issueAgentToken(t, admin, HOST);
    const put = await t.request({
      method: 'PUT',
      url: `/api/v1/gpus/config/${HOST}`,
      headers: operator,
      body: { yaml: gpuConfigYaml({ pollSec: 1, shutdownTemp: 91 }) },
    });
    expect(put.status).toBe(200);

    dir = mkdtempSync(join(tmpdir(), 'skyy-gpu-e2e-'));
    const statePath = join(dir, 'sim.json');
    writeState(statePath, createSimState({ models: ['2080', '4080'] }));
    const record = (level: string) => (message: string) => logLines.push(`${level} ${message}`);
    agent = await runAgent({
      configPath: BUNDLED_CONFIG,
      stateDir: join(dir, 'agent'),
      dryRun: true,
      source: 'nvidia-smi',
      nvidiaSmi: FAKE_NVIDIA_SMI,
      nvidiaSettings: join(dirname(FAKE_NVIDIA_SMI), 'nvidia-settings'),
      display: ':0',
      server: baseUrl,
      token,
      host: HOST,
      version: 'e2e',
      heartbeatMs: 300,
      // The timer an older server would need: a change seen sooner came over the long-poll.
      configRefreshMs: 60_000,
      fetch: trackedFetch,
      log: { debug: record('debug'), info: record('info'), warn: record('warn'), error: record('error') },
      env: { ...process.env, [STATE_ENV]: statePath },
    });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    // A request still in flight would keep its keep-alive connection, and the server's close, waiting.
    await Promise.allSettled([...inFlight]);
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('starts with the config stored for its host in Skyy Command', () => {
    expect(agent?.config.current.source).toBe('server');
    expect(agent?.config.current.config.protection.shutdown_temp).toBe(91);
    expect(agent?.config.current.config.poll_interval_sec).toBe(1);
  });

  it('reports both simulated GPUs, which the fleet API then shows with their agent', async () => {
    const fleet = await waitFor('two GPUs with temperatures in the fleet', async () => {
      const res = await t.request({ method: 'GET', url: '/api/v1/gpus', headers: viewer });
      const body = res.json<GpuFleet>();
      const mine = body.items.filter((g) => g.host === HOST && g.temperatureC !== null);
      return mine.length === 2 && body;
    });
    const items = fleet.items.filter((g) => g.host === HOST);
    expect(items.map((g) => g.uuid)).toEqual([
      'GPU-5eed0000-0000-4000-8000-000000000000',
      'GPU-5eed0000-0000-4000-8000-000000000001',
    ]);
    expect(items[0]?.agent).toMatchObject({
      host: HOST,
      mode: 'dry-run',
      source: 'nvidia-smi',
      configSource: 'server',
      version: 'e2e',
    });
    expect(items[0]?.fanDecisions.length).toBeGreaterThan(0);
    const agents = (
      await t.request({ method: 'GET', url: '/api/v1/gpu-agents', headers: viewer })
    ).json<GpuAgentList>();
    expect(agents.items.find((a) => a.host === HOST)).toMatchObject({ status: 'ok', gpuCount: 2 });

    const history = await waitFor('readings history', async () => {
      const res = await t.request({
        method: 'GET',
        url: `/api/v1/gpus/${items[0]?.uuid}/history?step=30`,
        headers: viewer,
      });
      const body = res.json<GpuHistory>();
      return body.points.length > 0 && body;
    });
    expect(history.points[0]?.temperatureC).toEqual(expect.any(Number));
  });

  it('applies a config changed in Skyy Command on the request it holds open, without a restart', async () => {
    const waiters = t.server.app.get(GpuConfigWaiters);
    await waitFor('the agent’s long-poll to be held', async () => waiters.heldCount === 1);
    const heldRequest = configRequests.length;
    expect(configRequests[heldRequest - 1]).toMatch(/\/config\?wait=50$/);
    let requestsAtApply = -1;
    agent?.config.onChange(() => (requestsAtApply = configRequests.length));
    const put = await t.request({
      method: 'PUT',
      url: `/api/v1/gpus/config/${HOST}`,
      headers: operator,
      body: { yaml: gpuConfigYaml({ pollSec: 1, shutdownTemp: 87 }) },
    });
    expect(put.status).toBe(200);
    await waitFor(
      'the agent to apply the new config',
      async () => agent?.config.current.config.protection.shutdown_temp === 87,
    );
    expect(agent?.config.current.source).toBe('server');
    // Applied from the answer to the request already open before the change was saved.
    expect(requestsAtApply).toBe(heldRequest);
    expect(logLines.some((line) => line.startsWith('info config applied'))).toBe(true);
    expect(logLines).toContain('info config: the server pushes changes (long-poll)');
    expect(logLines.filter((line) => line.includes('heartbeat') && line.startsWith('warn'))).toEqual([]);
  });
});
