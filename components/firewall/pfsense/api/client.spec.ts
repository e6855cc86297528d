import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSelfSignedCertificate, PfSenseSimulator } from '@skyy/sim-pfsense';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyChanges, getApplyStatus } from './apply.ts';
import { PfSenseClient, type PfSenseClientOptions, type RequestEvent } from './client.ts';
import { listStaticMappings } from './dhcp.ts';
import {
  PfSenseAuthError,
  PfSenseNetworkError,
  PfSenseResponseError,
  PfSenseServerError,
  PfSenseTimeoutError,
  PfSenseTlsPinError,
  PfSenseValidationError,
} from './errors.ts';
import { getSystemStatus, getSystemVersion, listInterfaces, supportsDryRun } from './status.ts';
import { virtualIps, type VirtualIpFields } from './vips.ts';
import { SIMULATOR_API_KEY, startSimulatedFirewall, type SimulatedFirewall } from '../utils/testing.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function firewall(...args: Parameters<typeof startSimulatedFirewall>): Promise<SimulatedFirewall> {
  const started = await startSimulatedFirewall(...args);
  cleanups.push(() => started.close());
  return started;
}

function clientFor(url: string, options: Partial<PfSenseClientOptions> = {}): PfSenseClient {
  const client = new PfSenseClient({
    baseUrl: url,
    auth: { type: 'api-key', key: SIMULATOR_API_KEY },
    retryBaseMs: 1,
    ...options,
  });
  cleanups.push(() => client.close());
  return client;
}

const vip = (subnet: string): VirtualIpFields => ({
  mode: 'ipalias',
  interface: 'wan',
  type: 'single',
  subnet,
  subnet_bits: 23,
  descr: `DMZ: ${subnet}`,
});

describe('PfSenseClient over HTTPS with a self-signed certificate', () => {
  const certificate = generateSelfSignedCertificate();
  const dir = mkdtempSync(join(tmpdir(), 'pfsense-ca-'));
  const caFile = join(dir, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  let sim: PfSenseSimulator;
  let url: string;

  beforeAll(async () => {
    sim = new PfSenseSimulator({ apiKeys: [SIMULATOR_API_KEY], tls: certificate });
    ({ url } = await sim.listen());
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('talks to a firewall whose certificate fingerprint is pinned', async () => {
    const client = clientFor(url, { tls: { fingerprint: certificate.fingerprint256.toLowerCase() } });
    expect((await getSystemVersion(client)).version).toBe('2.8.1-RELEASE');
    // Parallel requests open more connections; each one must pass the pin check too.
    const versions = await Promise.all(Array.from({ length: 8 }, () => getSystemVersion(client)));
    expect(versions.map((v) => v.version)).toEqual(Array(8).fill('2.8.1-RELEASE'));
  });

  it('refuses a certificate that does not match the pin, without retrying', async () => {
    const events: RequestEvent[] = [];
    const wrong = certificate.fingerprint256.replace(
      /^../,
      certificate.fingerprint256.startsWith('00') ? '11' : '00',
    );
    const client = clientFor(url, { tls: { fingerprint: wrong }, onRequest: (e) => events.push(e) });
    await expect(getSystemVersion(client)).rejects.toBeInstanceOf(PfSenseTlsPinError);
    expect(events).toHaveLength(1);
  });

  it('trusts a CA file, and refuses an unknown self-signed certificate by default', async () => {
    expect((await getSystemVersion(clientFor(url, { tls: { caFile } }))).version).toBe('2.8.1-RELEASE');
    await expect(getSystemVersion(clientFor(url, { readRetries: 0 }))).rejects.toBeInstanceOf(
      PfSenseNetworkError,
    );
  });

  it('skips verification only when told to', async () => {
    expect((await getSystemVersion(clientFor(url, { tls: { insecure: true } }))).version).toBe(
      '2.8.1-RELEASE',
    );
  });
});

describe('PfSenseClient authentication', () => {
  it("reports a wrong API key with pfSense's response id and message", async () => {
    const { url } = await firewall();
    const client = clientFor(url, { auth: { type: 'api-key', key: 'wrong' } });
    const error = await getSystemVersion(client).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PfSenseAuthError);
    expect(error).toMatchObject({
      status: 401,
      responseId: 'AUTH_AUTHENTICATION_FAILED',
      serverMessage: 'Authentication failed.',
    });
  });

  it('authenticates with Basic credentials and with a JWT obtained from them', async () => {
    const { url } = await firewall({ users: { admin: 'pfsense' } });
    const basic = clientFor(url, { auth: { type: 'basic', username: 'admin', password: 'pfsense' } });
    expect((await getSystemVersion(basic)).version).toBe('2.8.1-RELEASE');
    const jwt = clientFor(url, { auth: { type: 'jwt', username: 'admin', password: 'pfsense' } });
    expect((await getSystemVersion(jwt)).version).toBe('2.8.1-RELEASE');
    const wrong = clientFor(url, { auth: { type: 'jwt', username: 'admin', password: 'nope' } });
    await expect(getSystemVersion(wrong)).rejects.toBeInstanceOf(PfSenseAuthError);
  });
});

describe('PfSenseClient errors, retries and timeouts', () => {
  it("carries pfSense's validation message for a refused write", async () => {
    const { client } = await firewall();
    await virtualIps.create(client, vip('38.247.82.9'));
    const error = await virtualIps.create(client, vip('38.247.82.9')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PfSenseValidationError);
    expect(error).toMatchObject({ status: 400, responseId: 'FIELD_MUST_BE_UNIQUE' });
    expect((error as Error).message).toContain("Field 'subnet' must be unique");
  });

  it('retries reads through 5xx answers until one succeeds', async () => {
    const events: RequestEvent[] = [];
    const { client } = await firewall(
      { faults: { rate: 0.6, methods: ['GET'], phase: 'before' }, seed: 3 },
      { readRetries: 8, onRequest: (e) => events.push(e) },
    );
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      events.length = 0;
      await getSystemStatus(client);
      statuses.push(...events.map((e) => e.status));
    }
    expect(statuses).toContain(502);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
  });

  it('never retries a write: its outcome is unknown and the caller must check', async () => {
    const { sim, client } = await firewall({ faults: { rate: 1, methods: ['POST'], phase: 'after' } });
    await expect(virtualIps.create(client, vip('38.247.82.9'))).rejects.toBeInstanceOf(PfSenseServerError);
    expect(sim.countRequests({ method: 'POST' })).toBe(1);
    expect(sim.state.config.vips).toHaveLength(1);
  });

  it('gives up on a request that takes longer than the timeout', async () => {
    const { client } = await firewall({ latency: { fixedMs: 400 } }, { timeoutMs: 50, readRetries: 1 });
    await expect(getSystemVersion(client)).rejects.toBeInstanceOf(PfSenseTimeoutError);
  });

  it('fails loudly when a 2xx answer is not the API envelope', async () => {
    const server = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>'),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise((resolve) => server.close(() => resolve())));
    const client = clientFor(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await expect(getSystemVersion(client)).rejects.toBeInstanceOf(PfSenseResponseError);
  });
});

describe('PfSenseClient resources', () => {
  it('sends writes to one firewall one at a time, so none is lost to an overlap', async () => {
    const { sim, client } = await firewall({ lostWrites: true, writeDurationMs: 5 });
    const subnets = Array.from({ length: 8 }, (_, i) => `38.247.82.${10 + i}`);
    await Promise.all(subnets.map((subnet) => virtualIps.create(client, vip(subnet))));
    expect(sim.stats.lostWrites).toBe(0);
    expect((await virtualIps.list(client)).map((v) => v.subnet).sort()).toEqual([...subnets].sort());
  });

  it('reads DHCP static mappings from the DHCP server on packages without the plural endpoint', async () => {
    const { sim, client } = await firewall({ pluralStaticMappings: false });
    sim.seed(
      'dhcp',
      [{ mac: '02:00:00:00:00:01', ipaddr: '69.1.1.2', descr: 'x', arp_table_static_entry: true }],
      'opt3',
    );
    const mappings = await listStaticMappings(client, 'opt3');
    expect(mappings).toEqual([
      expect.objectContaining({ id: 0, parent_id: 'opt3', mac: '02:00:00:00:00:01', ipaddr: '69.1.1.2' }),
    ]);
    expect(await listStaticMappings(client, 'opt3', { mac: '02:00:00:00:00:02' })).toEqual([]);
  });

  it('knows whether the package supports dry_run', async () => {
    expect(await supportsDryRun((await firewall()).client)).toBe(true);
    expect(await supportsDryRun((await firewall({ restApiVersion: 'v2.4.3' })).client)).toBe(false);
  });

  it('shows pending changes until they are applied', async () => {
    const { client } = await firewall();
    await virtualIps.create(client, vip('38.247.82.9'));
    expect(await getApplyStatus(client, 'virtual_ip')).toEqual({ applied: false });
    await applyChanges(client, 'virtual_ip');
    expect(await getApplyStatus(client, 'virtual_ip')).toEqual({ applied: true });
  });

  it('lists interfaces with their ids, descriptions and addresses', async () => {
    const { client } = await firewall();
    const interfaces = await listInterfaces(client);
    expect(interfaces).toContainEqual(
      expect.objectContaining({ id: 'opt3', descr: 'DMZ', ipaddr: '69.1.1.1', subnet: 22 }),
    );
  });
});
