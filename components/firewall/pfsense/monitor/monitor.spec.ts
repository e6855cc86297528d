import { afterEach, describe, expect, it } from 'vitest';
import { PfSenseClient } from '../api/client.ts';
import { firewallRules } from '../api/rules.ts';
import { resolveSite } from '../lib/site.ts';
import { entriesOf, generateConfig } from '../ops/generate-config.ts';
import { loadNetworkingFile } from '../ops/networking-file.ts';
import { syncSite } from '../ops/sync-all.ts';
import { startSimulatedFirewall, type SimulatedFirewall } from '../utils/testing.ts';
import { checkDrift } from './drift.ts';
import { sideBySide } from './objects.ts';
import { collectFirewallStatus } from './status.ts';
import { readFirewallState } from '../ops/firewall-state.ts';

const site = resolveSite('hargett', {
  public_subnet: '38.247.82.0/23',
  lan_interface: 'opt3',
  lan_subnet: '69.1.0.0/22',
});
const text = [
  'ips:',
  ...[2, 3, 4].flatMap((n) => [
    `  - public_ip: 38.247.82.${n}`,
    `    internal_ip: 69.1.1.${n}`,
    `    mac: "02:00:00:00:00:0${n}"`,
  ]),
].join('\n');
const source = { text, file: 'networking_test.yaml' };
const desired = generateConfig(site, entriesOf(loadNetworkingFile(text, source.file)));

const started: SimulatedFirewall[] = [];
afterEach(async () => {
  for (const fw of started.splice(0)) await fw.close();
});
async function firewall() {
  const fw = await startSimulatedFirewall();
  started.push(fw);
  return fw;
}

describe('collectFirewallStatus', () => {
  it('reports version, uptime, CPU, memory, interfaces and pending changes', async () => {
    const fw = await firewall();
    await firewallRules.create(fw.client, {
      type: 'pass',
      interface: ['wan'],
      ipprotocol: 'inet',
      protocol: null,
      source: 'any',
      destination: '69.1.1.2',
      descr: 'test',
      disabled: false,
    });
    const status = await collectFirewallStatus(fw.client, () => new Date('2026-11-27T12:00:00Z'));
    expect(status).toMatchObject({
      collectedAt: '2026-11-27T12:00:00.000Z',
      reachable: true,
      version: '2.8.1-RELEASE',
      restApiVersion: 'v2.8.0',
      cpu: { count: 4 },
      pending: { firewall: ['filter'], virtualIps: false, dhcp: false },
    });
    expect(status.uptime).toMatch(/^3 Days/);
    expect(status.interfaces).toContainEqual({
      name: 'DMZ',
      description: 'DMZ',
      device: 'vtnet4',
      up: true,
      address: '69.1.1.1/22',
    });
  });

  it('reports an unreachable firewall as a status, with the reason', async () => {
    const fw = await firewall();
    const url = fw.url;
    await fw.sim.close();
    const client = new PfSenseClient({ baseUrl: url, auth: { type: 'api-key', key: 'k' }, readRetries: 0 });
    const status = await collectFirewallStatus(client);
    await client.close();
    expect(status.reachable).toBe(false);
    expect(status.error).toMatch(/could not be reached/);
  });
});

describe('drift detection', () => {
  it('shows managed objects edited, deleted or added in the web UI, and sync puts them back', async () => {
    const fw = await firewall();
    await syncSite(fw.client, site, source, { retryDelayMs: 1 });
    expect((await checkDrift(fw.client, desired)).inSync).toBe(true);

    // An operator edits the firewall by hand.
    const config = fw.sim.state.config;
    const nat = config.nats.find((n) => n.external === '38.247.82.3');
    if (nat) nat.source = '69.1.1.99';
    config.vips = config.vips.filter((v) => v.subnet !== '38.247.82.4');
    config.rules.push({ ...config.rules[0], tracker: 42, destination: '69.1.1.77', descr: 'DMZ: hand-made' });

    const drift = await checkDrift(fw.client, desired);
    expect(drift.inSync).toBe(false);
    expect(drift.changed).toEqual([
      {
        kind: 'nat',
        key: '38.247.82.3',
        id: 1,
        fields: [{ field: 'source', desired: '69.1.1.3', actual: '69.1.1.99' }],
      },
    ]);
    expect(drift.missing).toEqual([{ kind: 'vip', key: '38.247.82.4' }]);
    expect(drift.unexpected).toEqual([
      expect.objectContaining({ kind: 'rule', key: '69.1.1.77', descr: 'DMZ: hand-made' }),
    ]);

    await syncSite(fw.client, site, source, { retryDelayMs: 1 });
    expect((await checkDrift(fw.client, desired)).inSync).toBe(true);
  });

  it('lays desired and actual objects side by side, managed and unmanaged', async () => {
    const fw = await firewall();
    await syncSite(fw.client, site, source, { retryDelayMs: 1 });
    fw.sim.seed('vips', [
      {
        mode: 'ipalias',
        interface: 'wan',
        type: 'single',
        subnet: '198.51.100.7',
        subnet_bits: 24,
        descr: 'office',
      },
    ]);
    const vip = fw.sim.state.config.vips.find((v) => v.subnet === '38.247.82.2');
    if (vip) vip.subnet_bits = 24;

    const rows = sideBySide(desired, await readFirewallState(fw.client, site));
    expect(rows.vip.map((r) => `${r.key} ${r.status} ${r.managed ? 'managed' : 'unmanaged'}`)).toEqual([
      '38.247.82.2 drifted managed',
      '38.247.82.3 in-sync managed',
      '38.247.82.4 in-sync managed',
      '198.51.100.7 unmanaged unmanaged',
    ]);
    expect(rows.dhcp[0]).toMatchObject({
      status: 'in-sync',
      source: { file: 'networking_test.yaml', line: 2 },
    });
  });
});
