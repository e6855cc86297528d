import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers.ts';
import { silentLogger } from '../../utils/logger.ts';
import { ConfigManager, WAIT_SUPPORT_HEADER } from './config-manager.ts';
import { BUNDLED_CONFIG } from './load-config.ts';

const userText = readFileSync(BUNDLED_CONFIG, 'utf8');
const version = (shutdownTemp: number) =>
  userText
    .replace('poll_interval_sec: 5', 'poll_interval_sec: 2')
    .replace('shutdown_temp: 90', `shutdown_temp: ${shutdownTemp}`);

/**
 * A stand-in for Skyy Command's `GET /gpu-agents/<host>/config?wait=N`: `kind` picks how it
 * behaves — a current server holding a request until `push()`, an older one that ignores
 * `?wait=`, or one that refuses it with 400.
 */
interface FakeServer {
  url: string;
  server: Server;
  kind: 'waits' | 'ignores-wait' | 'refuses-wait';
  text: string;
  etag: string;
  requests: { url: string; closedEarly: boolean }[];
  held: ServerResponse[];
  push(text: string): void;
}

async function fakeSkyyCommand(): Promise<FakeServer> {
  let version = 1;
  const fake: FakeServer = {
    url: '',
    server: createServer(),
    kind: 'waits',
    text: '',
    etag: '"v1"',
    requests: [],
    held: [],
    push(text) {
      fake.text = text;
      fake.etag = `"v${++version}"`;
      for (const res of fake.held.splice(0)) answer(res);
    },
  };
  const answer = (res: ServerResponse) => {
    const headers = { etag: fake.etag, ...(fake.kind === 'waits' ? { [WAIT_SUPPORT_HEADER]: '55' } : {}) };
    res.writeHead(200, { 'content-type': 'application/yaml', ...headers }).end(fake.text);
  };
  fake.server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    const request = { url, closedEarly: false };
    fake.requests.push(request);
    res.on('close', () => (request.closedEarly = !res.writableFinished));
    const waits = url.includes('?wait=');
    if (waits && fake.kind === 'refuses-wait') return void res.writeHead(400).end('{"title":"Bad Request"}');
    if (req.headers['if-none-match'] === fake.etag) {
      if (waits && fake.kind === 'waits') return void fake.held.push(res);
      return void res.writeHead(304, { etag: fake.etag }).end();
    }
    answer(res);
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

describe('config pushed by Skyy Command over a long-poll', () => {
  let dir: string;
  let fake: FakeServer;
  let manager: ConfigManager | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-config-push-'));
    copyFileSync(BUNDLED_CONFIG, join(dir, 'gpu_config.yaml'));
    fake = await fakeSkyyCommand();
    fake.text = version(90);
  });
  afterEach(async () => {
    manager?.stop();
    for (const res of fake.held.splice(0)) res.destroy();
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  /** refreshMs 60 s: a change that arrives sooner came over the long-poll, not a timer. */
  const started = async () => {
    manager = new ConfigManager({
      localPath: join(dir, 'gpu_config.yaml'),
      cachePath: join(dir, 'state', 'gpu_config.cache.yaml'),
      log: silentLogger,
      server: { url: fake.url, host: 'puma-gpu-01', token: 'agent-secret', refreshMs: 60_000 },
    });
    await manager.load();
    manager.start();
    return manager;
  };

  it('applies a config the server answers a held request with, on that same request', async () => {
    const m = await started();
    const shutdownTemps: number[] = [];
    m.onChange((active) => shutdownTemps.push(active.config.protection.shutdown_temp));
    await waitFor(() => fake.held.length === 1);
    expect(fake.requests[1]?.url).toBe('/api/v1/gpu-agents/puma-gpu-01/config?wait=50');
    const requestsBefore = fake.requests.length;

    fake.push(version(86));
    await waitFor(() => shutdownTemps.length === 1, 5_000);
    expect(shutdownTemps).toEqual([86]);
    expect(m.current.source).toBe('server');
    expect(readFileSync(join(dir, 'state', 'gpu_config.cache.yaml'), 'utf8')).toBe(version(86));
    // No new request was needed to learn of the change: it came back on the held one.
    expect(fake.requests.length).toBe(requestsBefore);
    // And the agent is back waiting for the next one, with the new ETag.
    await waitFor(() => fake.held.length === 1);
    fake.push(version(84));
    await waitFor(() => shutdownTemps.length === 2, 5_000);
    expect(shutdownTemps).toEqual([86, 84]);
  });

  it('asks a server that ignores ?wait= once a refresh interval instead of spinning', async () => {
    fake.kind = 'ignores-wait';
    await started();
    await waitFor(() => fake.requests.length === 2);
    // It answered 304 at once and without the header: the agent now sleeps for refreshMs (60 s).
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/api/v1/gpu-agents/puma-gpu-01/config',
      '/api/v1/gpu-agents/puma-gpu-01/config?wait=50',
    ]);
  });

  it('asks again without ?wait= when the server refuses it with 400, and keeps its config', async () => {
    fake.kind = 'refuses-wait';
    const m = await started();
    await waitFor(() => fake.requests.length === 3);
    expect(fake.requests.map((r) => r.url)).toEqual([
      '/api/v1/gpu-agents/puma-gpu-01/config',
      '/api/v1/gpu-agents/puma-gpu-01/config?wait=50',
      '/api/v1/gpu-agents/puma-gpu-01/config',
    ]);
    expect(m.current.config.protection.shutdown_temp).toBe(90);
    expect(m.current.source).toBe('server');
  });

  it('hangs up a held request when stopped, and asks no more', async () => {
    const m = await started();
    await waitFor(() => fake.held.length === 1);
    m.stop();
    await waitFor(() => fake.requests[1]?.closedEarly === true);
    const count = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests.length).toBe(count);
  });
});
