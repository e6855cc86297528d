import { readFileSync } from 'node:fs';
import type { SimObject } from '@skyy/sim-pfsense';
import { parse, stringify } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveSite } from '../lib/site.ts';
import { SIMULATOR_API_KEY, startSimulatedFirewall, type SimulatedFirewall } from '../utils/testing.ts';
import type { StepRunner } from './apply.ts';
import { planSite, SyncBlockedError, syncSite, type NetworkingSource } from './sync-all.ts';

const site = resolveSite('hargett', {
  public_subnet: '38.247.82.0/23',
  lan_interface: 'opt3',
  lan_subnet: '69.1.0.0/22',
});
const hargettText = readFileSync(
  new URL('../../../../desired_state/networking/networking_hargett.yaml', import.meta.url),
  'utf8',
);

interface RawEntry {
  public_ip: string;
  internal_ip: string;
  mac: string;
}
const hargettEntries = (parse(hargettText) as { ips: RawEntry[] }).ips;
const source = (entries: RawEntry[], file = 'networking_hargett.yaml'): NetworkingSource => ({
  text: stringify({ ips: entries }),
  file,
});
const hargett: NetworkingSource = { text: hargettText, file: 'networking_hargett.yaml' };
const first20 = hargettEntries.slice(0, 20);

const started: SimulatedFirewall[] = [];
afterEach(async () => {
  for (const fw of started.splice(0)) await fw.close();
});
async function firewall(...args: Parameters<typeof startSimulatedFirewall>) {
  const fw = await startSimulatedFirewall(...args);
  started.push(fw);
  return fw;
}
const fast = { retryDelayMs: 1 };

/** Managed objects of each kind on the simulated firewall's config.xml. */
function managedCounts(fw: SimulatedFirewall) {
  const managed = (objects: SimObject[]) =>
    objects.filter((o) => String(o.descr ?? '').startsWith('DMZ: ')).length;
  const config = fw.sim.state.config;
  return {
    vips: managed(config.vips),
    nats: managed(config.nats),
    rules: managed(config.rules),
    dhcp: managed(config.dhcp.opt3?.staticmap ?? []),
  };
}

/** Unmanaged objects an operator made in the web UI before Skyy Command was pointed at the firewall. */
function seedUnmanaged(fw: SimulatedFirewall) {
  const vip = {
    mode: 'ipalias',
    interface: 'wan',
    type: 'single',
    subnet: '198.51.100.10',
    subnet_bits: 24,
    descr: 'office uplink',
  };
  const nat = {
    interface: 'wan',
    disabled: false,
    ipprotocol: 'inet',
    external: '198.51.100.10',
    source: '192.168.1.50',
    destination: 'any',
    descr: 'office NAS',
  };
  const rule = {
    type: 'pass',
    interface: ['lan'],
    ipprotocol: 'inet',
    protocol: null,
    source: 'any',
    destination: 'any',
    descr: 'Default allow LAN to any',
    disabled: false,
    tracker: 100,
  };
  const mapping = {
    mac: '02:aa:00:00:00:01',
    ipaddr: '69.1.3.10',
    descr: 'switch management',
    arp_table_static_entry: false,
  };
  fw.sim.seed('vips', [vip]);
  fw.sim.seed('nats', [nat]);
  fw.sim.seed('rules', [rule]);
  fw.sim.seed('dhcp', [mapping], 'opt3');
  return { vip, nat, rule, mapping };
}

describe("syncSite with the user's 508-entry networking file", () => {
  it('fills an empty firewall with exactly 508 of each object, applies them and leaves unmanaged objects alone', async () => {
    const fw = await firewall();
    const unmanaged = seedUnmanaged(fw);

    const { report } = await syncSite(fw.client, site, hargett, fast);
    expect(report?.converged).toBe(true);
    expect(report?.firstPlan.counts.vip.create).toBe(508);
    expect(managedCounts(fw)).toEqual({ vips: 508, nats: 508, rules: 508, dhcp: 508 });
    expect(report?.applied).toEqual(['virtual_ip', 'firewall', 'dhcp']);
    expect(fw.sim.state.dirty).toEqual([]);
    expect(fw.sim.state.running.nats).toHaveLength(509);

    const config = fw.sim.state.config;
    expect(config.vips[0]).toMatchObject(unmanaged.vip);
    expect(config.nats[0]).toMatchObject(unmanaged.nat);
    expect(config.rules[0]).toMatchObject({ descr: unmanaged.rule.descr, tracker: 100 });
    expect(config.dhcp.opt3?.staticmap[0]).toMatchObject(unmanaged.mapping);

    const nat = config.nats.find((n) => n.external === '38.247.82.2');
    expect(nat).toMatchObject({
      interface: 'wan',
      source: '69.1.1.2',
      destination: 'any',
      descr: 'DMZ: 38.247.82.2 -> 69.1.1.2',
    });

    // A second plan is empty and costs five reads.
    const before = fw.sim.stats.requests;
    const again = await planSite(fw.client, site, hargett);
    expect(again.plan.changes).toEqual([]);
    expect(again.plan.unmanaged.map((u) => `${u.kind} ${u.descr}`).sort()).toEqual([
      'dhcp switch management',
      'nat office NAS',
      'rule Default allow LAN to any',
      'vip office uplink',
    ]);
    expect(fw.sim.stats.requests - before).toBe(5);

    // Edit 10 entries, remove 5, give two of the freed public IPs to new machines: one apply converges.
    const edited = hargettEntries.map((e, i) =>
      i >= 100 && i < 110 ? { ...e, internal_ip: `69.1.3.${i}` } : e,
    );
    const kept = edited.filter((_, i) => i < 200 || i >= 205);
    const added = [
      {
        public_ip: hargettEntries[200]?.public_ip ?? '',
        internal_ip: '69.1.3.200',
        mac: '02:00:00:00:aa:01',
      },
      {
        public_ip: hargettEntries[201]?.public_ip ?? '',
        internal_ip: '69.1.3.201',
        mac: '02:00:00:00:aa:02',
      },
    ];
    const next = source([...kept, ...added]);
    const plannedEdit = await planSite(fw.client, site, next);
    expect(plannedEdit.findings.filter((f) => f.severity === 'error')).toEqual([]);
    const second = await syncSite(fw.client, site, next, fast);
    expect(second.report?.converged).toBe(true);
    expect(second.report?.rounds).toBe(2); // one round of writes, one plan that confirms it
    expect(managedCounts(fw)).toEqual({ vips: 505, nats: 505, rules: 505, dhcp: 505 });
    expect((await planSite(fw.client, site, next)).plan.changes).toEqual([]);
    expect(fw.sim.state.config.nats[0]).toMatchObject(unmanaged.nat);
  }, 120_000);
});

describe('syncSite on a firewall that fails', () => {
  it('converges through 5xx answers that happen before and after the change was made', async () => {
    const fw = await firewall({ faults: { rate: 0.15, phase: 'either' }, seed: 11 }, { readRetries: 6 });
    const { report } = await syncSite(fw.client, site, source(first20), fast);
    expect(fw.sim.stats.faults).toBeGreaterThan(5);
    expect(report?.converged).toBe(true);
    fw.sim.configure({ faults: { rate: 0 } });
    expect(managedCounts(fw)).toEqual({ vips: 20, nats: 20, rules: 20, dhcp: 20 });
    expect((await planSite(fw.client, site, source(first20))).plan.changes).toEqual([]);
  });

  it('notices writes lost to a concurrent web UI edit and makes them again', async () => {
    const fw = await firewall({ lostWrites: true, writeDurationMs: 3 });
    // An operator saving objects in the web UI at the same time, not through our serialized client.
    const operator = (async () => {
      for (let i = 0; i < 40; i++) {
        await fetch(`${fw.url}/api/v2/firewall/virtual_ip`, {
          method: 'POST',
          headers: { 'x-api-key': SIMULATOR_API_KEY, 'content-type': 'application/json' },
          body: JSON.stringify({
            mode: 'ipalias',
            interface: 'wan',
            subnet: `198.51.100.${i + 1}`,
            subnet_bits: 24,
            descr: 'ui',
          }),
        });
      }
    })();
    const [{ report }] = await Promise.all([syncSite(fw.client, site, source(first20), fast), operator]);
    expect(fw.sim.stats.lostWrites).toBeGreaterThan(0);
    expect(report?.converged).toBe(true);
    // Lost writes are found by the re-read and made again: at least one round beyond the first.
    expect(report?.rounds).toBeGreaterThanOrEqual(2);
    expect(managedCounts(fw)).toEqual({ vips: 20, nats: 20, rules: 20, dhcp: 20 });
  });

  it('resumes after a crash mid-apply without redoing finished steps', async () => {
    const fw = await firewall();
    const persisted = new Map<string, unknown>();
    class Crash extends Error {}
    const persistingRunner = (crashAt?: number) => {
      const executed: string[] = [];
      const runner: StepRunner = async (name, fn) => {
        if (persisted.has(name)) return persisted.get(name) as Awaited<ReturnType<typeof fn>>;
        executed.push(name);
        const result = await fn();
        // The process dies after the write reached the firewall but before its result was stored.
        if (executed.length === crashAt) throw new Crash(name);
        persisted.set(name, result);
        return result;
      };
      return { runner, executed };
    };

    const crashed = persistingRunner(40);
    await expect(
      syncSite(fw.client, site, source(first20), { ...fast, runner: crashed.runner }),
    ).rejects.toBeInstanceOf(Crash);
    const inFlight = crashed.executed.at(-1);
    expect(managedCounts(fw).vips).toBe(20);
    expect(fw.sim.state.dirty).not.toEqual([]);

    const resumed = persistingRunner();
    const { report } = await syncSite(fw.client, site, source(first20), { ...fast, runner: resumed.runner });
    expect(report?.converged).toBe(true);
    const redone = resumed.executed.filter(
      (name) => persisted.has(name) && crashed.executed.includes(name) && name !== inFlight,
    );
    expect(redone).toEqual([]);
    expect(resumed.executed[0]).toBe(inFlight);
    expect(managedCounts(fw)).toEqual({ vips: 20, nats: 20, rules: 20, dhcp: 20 });
    expect(fw.sim.state.dirty).toEqual([]);
  });
});

describe('syncSite guards', () => {
  it('writes nothing when validation finds errors', async () => {
    const fw = await firewall();
    const broken = source([...first20, { ...first20[0], mac: '02:00:00:00:00:99' } as RawEntry]);
    const error = await syncSite(fw.client, site, broken, fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncBlockedError);
    expect((error as SyncBlockedError).findings.map((f) => f.code)).toEqual([
      'duplicate-public-ip',
      'duplicate-internal-ip',
    ]);
    expect(fw.sim.countRequests({ method: 'POST' })).toBe(0);
  });

  it("previews every write with the firewall's dry_run and writes nothing", async () => {
    const fw = await firewall();
    const { preview } = await syncSite(fw.client, site, source(first20.slice(0, 3)), { dryRun: true });
    expect(preview?.supported).toBe(true);
    expect(preview?.checks).toHaveLength(12);
    expect(preview?.checks.every((c) => c.accepted)).toBe(true);
    expect(managedCounts(fw)).toEqual({ vips: 0, nats: 0, rules: 0, dhcp: 0 });
  });

  it('only plans on a package too old for dry_run', async () => {
    const fw = await firewall({ restApiVersion: 'v2.4.3' });
    const { preview } = await syncSite(fw.client, site, source(first20.slice(0, 3)), { dryRun: true });
    expect(preview).toMatchObject({ supported: false, checks: [] });
    expect(preview?.plan.changes).toHaveLength(12);
    expect(fw.sim.countRequests({ method: 'POST' }) + fw.sim.countRequests({ method: 'DELETE' })).toBe(0);
  });

  it('works on an older package without the plural DHCP endpoint and with interfaces shown by id', async () => {
    const fw = await firewall({ pluralStaticMappings: false, representInterfacesAs: 'id' });
    const { report } = await syncSite(fw.client, site, source(first20), fast);
    expect(report?.converged).toBe(true);
    expect(managedCounts(fw).dhcp).toBe(20);
  });
});
