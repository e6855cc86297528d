import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PfSenseSimulator, type SimulatorOptions } from './server.ts';

const KEY = 'test-key';
const running: PfSenseSimulator[] = [];

async function start(options: SimulatorOptions = {}) {
  const sim = new PfSenseSimulator({ apiKeys: [KEY], ...options });
  const { url } = await sim.listen();
  running.push(sim);
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        'x-api-key': KEY,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json')
      ? (JSON.parse(text) as Envelope)
      : undefined;
    return { status: response.status, json, text };
  };
  return { sim, url, call };
}

interface Envelope {
  code: number;
  status: string;
  response_id: string;
  message: string;
  data: Record<string, unknown> & Record<string, unknown>[];
}

afterEach(async () => {
  await Promise.all(running.splice(0).map((sim) => sim.close()));
});

const vip = (subnet: string, extra: Record<string, unknown> = {}) => ({
  mode: 'ipalias',
  interface: 'wan',
  subnet,
  subnet_bits: 23,
  descr: `DMZ: ${subnet}`,
  ...extra,
});

describe('pfSense simulator: authentication', () => {
  it('refuses a request without credentials with the package envelope', async () => {
    const { url } = await start();
    const response = await fetch(`${url}/api/v2/system/version`);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      code: 401,
      status: 'unauthorized',
      response_id: 'AUTH_AUTHENTICATION_FAILED',
      message: 'Authentication failed.',
      data: [],
    });
  });

  it('accepts the API key, Basic auth, and a JWT obtained with Basic auth', async () => {
    const { url, call } = await start({ users: { admin: 'secret' } });
    expect((await call('GET', '/api/v2/system/version')).status).toBe(200);

    const basic = `Basic ${Buffer.from('admin:secret').toString('base64')}`;
    const viaBasic = await fetch(`${url}/api/v2/system/version`, { headers: { authorization: basic } });
    expect(viaBasic.status).toBe(200);

    const jwt = await fetch(`${url}/api/v2/auth/jwt`, { method: 'POST', headers: { authorization: basic } });
    const { data } = (await jwt.json()) as { data: { token: string } };
    const viaToken = await fetch(`${url}/api/v2/system/version`, {
      headers: { authorization: `Bearer ${data.token}` },
    });
    expect(viaToken.status).toBe(200);
    const forged = await fetch(`${url}/api/v2/system/version`, {
      headers: { authorization: 'Bearer forged' },
    });
    expect(forged.status).toBe(401);
  });
});

describe('pfSense simulator: body validation against the reference models', () => {
  it('rejects a missing required field with FIELD_IS_REQUIRED', async () => {
    const { call } = await start();
    const { status, json } = await call('POST', '/api/v2/firewall/virtual_ip', {
      mode: 'ipalias',
      interface: 'wan',
      subnet: '38.247.82.9',
    });
    expect(status).toBe(400);
    expect(json).toMatchObject({
      code: 400,
      status: 'bad request',
      response_id: 'FIELD_IS_REQUIRED',
      data: [],
    });
    expect(json?.message).toContain('subnet_bits');
  });

  it('rejects unknown and read-only fields', async () => {
    const { call } = await start();
    expect(
      (await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9', { colour: 'blue' }))).json
        ?.response_id,
    ).toBe('FIELD_UNKNOWN');
    expect(
      (await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9', { carp_status: 'MASTER' }))).json
        ?.response_id,
    ).toBe('FIELD_IS_READ_ONLY');
  });

  it('checks choices and types', async () => {
    const { call } = await start();
    const badChoice = await call(
      'POST',
      '/api/v2/firewall/virtual_ip',
      vip('38.247.82.9', { mode: 'alias' }),
    );
    expect(badChoice.json).toMatchObject({ response_id: 'FIELD_INVALID_CHOICE' });
    const badType = await call(
      'POST',
      '/api/v2/firewall/virtual_ip',
      vip('38.247.82.9', { subnet_bits: '23' }),
    );
    expect(badType.json).toMatchObject({
      response_id: 'FIELD_INVALID_TYPE',
      message: 'Field `subnet_bits` must be of type `integer`',
    });
    const outOfRange = await call(
      'POST',
      '/api/v2/firewall/virtual_ip',
      vip('38.247.82.9', { subnet_bits: 0 }),
    );
    expect(outOfRange.json).toMatchObject({ response_id: 'NUMERIC_RANGE_VALIDATOR_MINIMUM_CONSTRAINT' });
  });

  it('applies conditions: vhid exists (and is required) only for CARP VIPs', async () => {
    const { call } = await start();
    const carp = await call(
      'POST',
      '/api/v2/firewall/virtual_ip',
      vip('38.247.82.9', { mode: 'carp', password: 'x' }),
    );
    expect(carp.json).toMatchObject({
      response_id: 'FIELD_IS_REQUIRED',
      message: 'Field `vhid` is required.',
    });
    const alias = await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9', { vhid: 5 }));
    expect(alias.status).toBe(200);
    expect(alias.json?.data.vhid).toBeNull();
  });

  it('enforces unique fields, naming the object that holds the value', async () => {
    const { call } = await start();
    await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9'));
    const again = await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9'));
    expect(again.json).toMatchObject({
      response_id: 'FIELD_MUST_BE_UNIQUE',
      message: "Field 'subnet' must be unique. Value is in use by object with ID '0'.",
    });
  });

  it('refuses a VIP on an interface address and DHCP addresses outside the interface subnet', async () => {
    const { call } = await start();
    expect((await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.1'))).json?.response_id).toBe(
      'VIRTUAL_IP_SUBNET_IN_USE',
    );
    const mapping = await call('POST', '/api/v2/services/dhcp_server/static_mapping', {
      parent_id: 'opt3',
      mac: '02:00:00:00:00:01',
      ipaddr: '10.9.9.9',
    });
    expect(mapping.json?.response_id).toBe('DHCP_SERVER_STATIC_MAPPING_IPADDR_OUTSIDE_OF_SUBNET');
  });
});

describe('pfSense simulator: ids, pending changes and apply', () => {
  it('gives array-index ids that shift down after a delete', async () => {
    const { call } = await start();
    for (const ip of ['38.247.82.2', '38.247.82.3', '38.247.82.4'])
      await call('POST', '/api/v2/firewall/virtual_ip', vip(ip));
    const deleted = await call('DELETE', '/api/v2/firewall/virtual_ip?id=0');
    expect(deleted.json?.data).toMatchObject({ id: 0, subnet: '38.247.82.2' });
    const after = await call('GET', '/api/v2/firewall/virtual_ip?id=0');
    expect(after.json?.data).toMatchObject({ id: 0, subnet: '38.247.82.3' });
    expect((await call('GET', '/api/v2/firewall/virtual_ip?id=2')).json).toMatchObject({
      code: 404,
      response_id: 'MODEL_OBJECT_NOT_FOUND',
    });
  });

  it('keeps changes pending until the apply endpoint is called', async () => {
    const { sim, call } = await start();
    await call('POST', '/api/v2/firewall/rule', {
      type: 'pass',
      interface: ['wan'],
      ipprotocol: 'inet',
      source: 'any',
      destination: '69.1.1.2',
    });
    expect((await call('GET', '/api/v2/firewall/apply')).json?.data).toEqual({
      applied: false,
      pending_subsystems: ['filter'],
    });
    expect(sim.state.running.rules).toHaveLength(0);

    const applied = await call('POST', '/api/v2/firewall/apply');
    expect(applied.json?.data).toEqual({ applied: true, pending_subsystems: [] });
    expect(sim.state.running.rules).toHaveLength(1);
    expect((await call('GET', '/api/v2/firewall/apply')).json?.data).toEqual({
      applied: true,
      pending_subsystems: [],
    });
  });

  it('answers interfaces the way the REST API settings represent them', async () => {
    const byDescription = await start();
    await byDescription.call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9'));
    expect((await byDescription.call('GET', '/api/v2/firewall/virtual_ips')).json?.data[0]?.interface).toBe(
      'WAN',
    );

    const byId = await start({ representInterfacesAs: 'id' });
    await byId.call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9', { interface: 'WAN' }));
    expect((await byId.call('GET', '/api/v2/firewall/virtual_ips')).json?.data[0]?.interface).toBe('wan');
  });

  it('filters, sorts and pages plural reads', async () => {
    const { call } = await start();
    for (const ip of ['38.247.82.5', '38.247.82.3', '38.247.82.4'])
      await call('POST', '/api/v2/firewall/virtual_ip', vip(ip));
    const one = await call('GET', '/api/v2/firewall/virtual_ips?subnet=38.247.82.3');
    expect(one.json?.data.map((v) => v.id)).toEqual([1]);
    const paged = await call('GET', '/api/v2/firewall/virtual_ips?sort_by=subnet&limit=2&offset=1');
    expect(paged.json?.data.map((v) => v.subnet)).toEqual(['38.247.82.4', '38.247.82.5']);
    const unknown = await call('GET', '/api/v2/firewall/virtual_ips?colour=blue');
    expect(unknown.status).toBe(400);
  });

  it('validates with dry_run on packages that have it, and writes nothing', async () => {
    const current = await start();
    const dry = await current.call('POST', '/api/v2/firewall/virtual_ip', {
      ...vip('38.247.82.9'),
      dry_run: true,
    });
    expect(dry.json?.data).toMatchObject({ id: 0, subnet: '38.247.82.9' });
    expect(current.sim.state.config.vips).toHaveLength(0);
    expect((await current.call('GET', '/api/v2/firewall/virtual_ip/apply')).json?.data).toEqual({
      applied: true,
    });

    const old = await start({ restApiVersion: 'v2.4.3' });
    const refused = await old.call('POST', '/api/v2/firewall/virtual_ip', {
      ...vip('38.247.82.9'),
      dry_run: true,
    });
    expect(refused.status).toBe(400);
  });
});

describe('pfSense simulator: endpoints the package does not have', () => {
  it('answers 405 for a method the endpoint lacks and an HTML 404 for unknown paths', async () => {
    const { call } = await start();
    expect((await call('PUT', '/api/v2/firewall/virtual_ips', [])).json).toMatchObject({
      code: 405,
      response_id: 'ENDPOINT_METHOD_NOT_ALLOWED',
    });
    const missing = await call('GET', '/api/v2/firewall/nonsense');
    expect(missing.status).toBe(404);
    expect(missing.json).toBeUndefined();
  });

  it('behaves like packages before v2.5 when the plural static mappings endpoint is turned off', async () => {
    const { call } = await start({ pluralStaticMappings: false });
    expect((await call('GET', '/api/v2/services/dhcp_server/static_mappings')).status).toBe(404);
    const server = await call('GET', '/api/v2/services/dhcp_server?id=opt3');
    expect(server.json?.data).toMatchObject({ id: 'opt3', staticmap: [] });
  });
});

describe('pfSense simulator: faults and lost writes', () => {
  it('fails before the change with a 502 from the web server: nothing is written', async () => {
    const { sim, call } = await start({ faults: { rate: 1, phase: 'before' } });
    const response = await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9'));
    expect(response.status).toBe(502);
    expect(sim.state.config.vips).toHaveLength(0);
  });

  it('fails after the change with a 500: the write happened anyway', async () => {
    const { sim, call } = await start({ faults: { rate: 1, phase: 'after', methods: ['POST'] } });
    const response = await call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9'));
    expect(response.json).toMatchObject({ code: 500, response_id: 'SERVER_ERROR' });
    expect(sim.state.config.vips).toHaveLength(1);
  });

  it('loses one of two overlapping writes while telling both callers they succeeded', async () => {
    const { sim, call } = await start({ lostWrites: true, writeDurationMs: 30 });
    const [a, b] = await Promise.all([
      call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9')),
      call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.10')),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(sim.state.config.vips).toHaveLength(1);
    expect(sim.stats.lostWrites).toBe(1);
  });

  it('keeps both overlapping writes when lost writes are off', async () => {
    const { sim, call } = await start({ writeDurationMs: 10 });
    await Promise.all([
      call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9')),
      call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.10')),
    ]);
    expect(sim.state.config.vips.map((v) => v.subnet).sort()).toEqual(['38.247.82.10', '38.247.82.9']);
  });
});

describe('pfSense simulator: state file', () => {
  it('saves changes and loads them on the next start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-pfsense-state-'));
    try {
      const stateFile = join(dir, 'state.json');
      const first = await start({ stateFile });
      await first.call('POST', '/api/v2/firewall/virtual_ip', vip('38.247.82.9'));
      await first.sim.close();
      running.splice(running.indexOf(first.sim), 1);

      const second = await start({ stateFile });
      const vips = await second.call('GET', '/api/v2/firewall/virtual_ips');
      expect(vips.json?.data.map((v) => v.subnet)).toEqual(['38.247.82.9']);
      await second.sim.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
