import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GpuAgentState } from '@skyy/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { BUNDLED_CONFIG, loadGpuConfigFile, requireConfig } from '../config/load-config.ts';
import { silentLogger } from '../../utils/logger.ts';
import { createApiServer, tokenMatches, type ApiHandlers } from './http-server.ts';
import { Reporter } from './reporter.ts';

const config = requireConfig(loadGpuConfigFile(BUNDLED_CONFIG));
const state = (overrides: Partial<GpuAgentState> = {}): GpuAgentState => ({
  host: 'h',
  version: 't',
  mode: 'dry-run',
  source: 'nvidia-smi',
  configSource: 'local',
  stale: false,
  gpus: [{ uuid: 'GPU-1', index: 0, status: 'failsafe', fans: [], notes: [] }],
  events: [],
  ...overrides,
});

describe('agent HTTP API', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const s = server;
    if (s) await new Promise((resolve) => s.close(resolve));
  });

  async function start(overrides: Partial<ApiHandlers> = {}) {
    server = createApiServer({
      state: () => state(),
      config: () => ({ config, source: 'local', loadedAt: new Date(0) }),
      applyConfig: () => ({ ok: true }),
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      log: silentLogger,
      ...overrides,
    });
    const listening = server;
    await new Promise<void>((resolve) => listening.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
  }

  it('reports degraded health while a GPU is in fail-safe, 503 when readings are stale', async () => {
    let current = state();
    const url = await start({ state: () => current });
    const degraded = await fetch(`${url}/health`);
    expect(degraded.status).toBe(200);
    expect(await degraded.json()).toMatchObject({ status: 'degraded', failsafe: 1 });
    current = state({ stale: true });
    expect((await fetch(`${url}/health`)).status).toBe(503);
  });

  it('refuses config writes when the agent has no token at all', async () => {
    const url = await start();
    const response = await fetch(`${url}/config`, {
      method: 'PUT',
      body: 'x',
      headers: { authorization: 'Bearer anything' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers 404 for unknown paths and 405 with Allow for wrong methods', async () => {
    const url = await start();
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    const wrong = await fetch(`${url}/state`, { method: 'DELETE' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('compares bearer tokens exactly', () => {
    expect(tokenMatches('Bearer s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('bearer s3cret', 's3cret')).toBe(true);
    expect(tokenMatches('Bearer s3cre', 's3cret')).toBe(false);
    expect(tokenMatches('s3cret', 's3cret')).toBe(false);
    expect(tokenMatches(undefined, 's3cret')).toBe(false);
  });
});

describe('heartbeats to Skyy Command', () => {
  it('posts the state with the token, and copes with a server that is not there yet', async () => {
    const calls: { url: string; init?: RequestInit }[] = [];
    let status = 404;
    const fakeFetch = (async (url: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(url), ...(init ? { init } : {}) });
      return new Response(null, { status });
    }) as typeof fetch;
    const reporter = new Reporter({
      url: 'https://skyy.example/',
      host: 'puma-gpu-01',
      token: 't0k',
      intervalMs: 1000,
      state: () => state(),
      log: silentLogger,
      fetch: fakeFetch,
    });
    expect(await reporter.send()).toBe(false);
    status = 204;
    expect(await reporter.send()).toBe(true);
    expect(calls[0]?.url).toBe('https://skyy.example/api/v1/gpu-agents/puma-gpu-01/heartbeat');
    expect((calls[0]?.init?.headers as Record<string, string>)['authorization']).toBe('Bearer t0k');
    expect(JSON.parse(String(calls[0]?.init?.body))).toMatchObject({ host: 'h', gpus: [{ uuid: 'GPU-1' }] });
  });
});
