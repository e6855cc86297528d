import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers.ts';
import { silentLogger } from '../../utils/logger.ts';
import { ConfigManager, configUrl, type ActiveConfig } from './config-manager.ts';
import { BUNDLED_CONFIG, ConfigError } from './load-config.ts';

const userText = readFileSync(BUNDLED_CONFIG, 'utf8');
const serverText = userText.replace('poll_interval_sec: 5', 'poll_interval_sec: 2');

/** A stand-in for Skyy Command's future `GET /api/v1/gpu-agents/<host>/config`. */
interface FakeServer {
  url: string;
  server: Server;
  requests: { url?: string; headers: IncomingHttpHeaders }[];
  respond: { status: number; body?: string; etag?: string };
}

async function fakeSkyyCommand(): Promise<FakeServer> {
  const fake: FakeServer = {
    url: '',
    server: createServer(),
    requests: [],
    respond: { status: 200, body: serverText, etag: '"v1"' },
  };
  fake.server.on('request', (req, res) => {
    fake.requests.push({ url: req.url, headers: req.headers });
    const { status, body, etag } = fake.respond;
    if (etag && req.headers['if-none-match'] === etag) {
      res.writeHead(304).end();
      return;
    }
    res.writeHead(status, { 'content-type': 'application/yaml', ...(etag ? { etag } : {}) }).end(body ?? '');
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
  return fake;
}

describe('config sources: Skyy Command, then cache, then local_config', () => {
  let dir: string;
  let fake: FakeServer;
  let manager: ConfigManager | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gpu-config-'));
    copyFileSync(BUNDLED_CONFIG, join(dir, 'gpu_config.yaml'));
    fake = await fakeSkyyCommand();
  });
  afterEach(async () => {
    manager?.stop();
    await new Promise((resolve) => fake.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const create = (serverUrl?: string, watchIntervalMs = 50) => {
    manager = new ConfigManager({
      localPath: join(dir, 'gpu_config.yaml'),
      cachePath: join(dir, 'state', 'gpu_config.cache.yaml'),
      log: silentLogger,
      watchIntervalMs,
      ...(serverUrl
        ? { server: { url: serverUrl, host: 'puma-gpu-01', token: 'agent-secret', timeoutMs: 2_000 } }
        : {}),
    });
    return manager;
  };

  it('fetches its host config with the bearer token and caches it', async () => {
    const active = await create(fake.url).load();
    expect(active.source).toBe('server');
    expect(active.config.poll_interval_sec).toBe(2);
    expect(fake.requests[0]?.url).toBe('/api/v1/gpu-agents/puma-gpu-01/config');
    expect(fake.requests[0]?.headers.authorization).toBe('Bearer agent-secret');
    expect(readFileSync(join(dir, 'state', 'gpu_config.cache.yaml'), 'utf8')).toBe(serverText);
  });

  it('falls back to the cache when the server is unreachable, and to local_config without a cache', async () => {
    await create(fake.url).load();
    await new Promise((resolve) => fake.server.close(resolve));
    fake.server = createServer();
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const deadUrl = fake.url;
    const fromCache = await create(deadUrl).load();
    expect(fromCache.source).toBe('cache');
    expect(fromCache.config.poll_interval_sec).toBe(2);

    rmSync(join(dir, 'state'), { recursive: true });
    const local = await create(deadUrl).load();
    expect(local.source).toBe('local');
    expect(local.config.poll_interval_sec).toBe(5);
  });

  it('treats 404 (no config for this host on the server yet) like an unreachable server', async () => {
    fake.respond = { status: 404, body: '{"title":"Not Found"}' };
    const active = await create(fake.url).load();
    expect(active.source).toBe('local');
  });

  it('keeps the current config when the server serves an invalid one', async () => {
    const m = create(fake.url);
    await m.load();
    const rejected: string[] = [];
    m.onReject((issues) => rejected.push(...issues.map((i) => `${i.line}:${i.path}`)));
    fake.respond = {
      status: 200,
      body: serverText.replace('shutdown_temp: 90', 'shutdown_temp: hot'),
      etag: '"v2"',
    };
    expect(await m.refresh()).toBe('rejected');
    expect(m.current.config.poll_interval_sec).toBe(2);
    expect(rejected).toEqual(['5:protection.shutdown_temp']);
  });

  it('applies a changed server config without a restart, and asks with If-None-Match', async () => {
    const m = create(fake.url);
    await m.load();
    const changes: ActiveConfig[] = [];
    m.onChange((active) => changes.push(active));
    expect(await m.refresh()).toBe('unchanged');
    expect(fake.requests[1]?.headers['if-none-match']).toBe('"v1"');
    fake.respond = {
      status: 200,
      body: serverText.replace('shutdown_temp: 90', 'shutdown_temp: 88'),
      etag: '"v2"',
    };
    expect(await m.refresh()).toBe('config');
    expect(changes.map((c) => c.config.protection.shutdown_temp)).toEqual([88]);
  });

  it('reloads an edited local file while it is the config in force', async () => {
    const m = create(undefined);
    await m.load();
    const changes: number[] = [];
    m.onChange((active) => changes.push(active.config.defaults.fan_control.max_temp));
    m.start();
    // mtime granularity: make sure the edit lands in a later millisecond than the load.
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(dir, 'gpu_config.yaml'), userText.replace('max_temp: 55', 'max_temp: 58'));
    await waitFor(() => changes.length > 0, 10_000);
    expect(changes).toEqual([58]);
    expect(m.current.source).toBe('local');
  });

  it('refuses to start on an invalid local file, naming key and line', async () => {
    writeFileSync(join(dir, 'gpu_config.yaml'), userText.replace('gain: 1.0 ', 'gain: -1 '));
    await expect(create(undefined).load()).rejects.toThrow(ConfigError);
    await expect(create(undefined).load()).rejects.toThrow(
      /gpu_config\.yaml:16:5: defaults\.fan_control\.gain: /,
    );
  });

  it('builds the URL from the server base and the host name', () => {
    expect(configUrl({ url: 'https://skyy.example/', host: 'puma gpu/1' })).toBe(
      'https://skyy.example/api/v1/gpu-agents/puma%20gpu%2F1/config',
    );
  });
});
