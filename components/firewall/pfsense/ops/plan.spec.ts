import { describe, expect, it } from 'vitest';
import type { NetworkInterface } from '../api/status.ts';
import type { DesiredEntry } from '../lib/desired.ts';
import { resolveSite, type Site } from '../lib/site.ts';
import { normalizeInterfaces, type FirewallState } from './firewall-state.ts';
import { generateConfig, type DesiredState } from './generate-config.ts';
import { isEmptyPlan, planFirewall, type PlannedChange } from './plan.ts';

const site = resolveSite('hargett', {
  public_subnet: '38.247.82.0/23',
  lan_interface: 'opt3',
  lan_subnet: '69.1.0.0/22',
});
const interfaces: NetworkInterface[] = [
  { id: 'wan', if: 'vtnet0', descr: 'WAN', ipaddr: '38.247.82.1', subnet: 23 },
  { id: 'opt3', if: 'vtnet4', descr: 'DMZ', ipaddr: '69.1.1.1', subnet: 22 },
];

function entry(n: number, extra: Partial<DesiredEntry> = {}): DesiredEntry {
  const hex = n.toString(16).padStart(2, '0');
  return {
    publicIp: `38.247.82.${n}`,
    internalIp: `69.1.1.${n}`,
    mac: `02:00:00:00:00:${hex}`,
    vip: true,
    source: { file: 'networking_test.yaml', line: n * 3 },
    ...extra,
  };
}

/** The firewall exactly as a previous sync of `desired` left it (ids in order, trackers set). */
function firewallFor(desired: DesiredState): FirewallState {
  return {
    interfaces,
    vips: desired.vips.map((o, id) => ({ id, uniqid: `u${id}`, ...o.fields })),
    nats: desired.nats.map((o, id) => ({ id, nobinat: false, natreflection: null, ...o.fields })),
    rules: desired.rules.map((o, id) => ({
      id,
      tracker: 5000 + id,
      log: false,
      floating: false,
      ...o.fields,
    })),
    dhcp: desired.dhcp.map((o, id) => ({ id, parent_id: 'opt3', ...o.fields })),
  };
}

const empty: FirewallState = { interfaces, vips: [], nats: [], rules: [], dhcp: [] };
const summary = (changes: PlannedChange[]) =>
  changes.map((c) => `${c.action} ${c.kind} ${c.key}${c.action === 'create' ? '' : ` #${c.id}`}`);

describe('planFirewall', () => {
  const two = generateConfig(site, [entry(2), entry(3)]);

  it('creates everything on an empty firewall, VIPs before the NAT that needs them', () => {
    const plan = planFirewall(two, empty);
    expect(summary(plan.changes)).toEqual([
      'create vip 38.247.82.2',
      'create vip 38.247.82.3',
      'create nat 38.247.82.2',
      'create nat 38.247.82.3',
      'create rule 69.1.1.2',
      'create rule 69.1.1.3',
      'create dhcp 02:00:00:00:00:02',
      'create dhcp 02:00:00:00:00:03',
    ]);
    expect(plan.changes[0]).toMatchObject({
      fields: { mode: 'ipalias', interface: 'wan', subnet_bits: 23, descr: 'DMZ: 38.247.82.2 -> 69.1.1.2' },
    });
  });

  it('plans nothing when the firewall already matches', () => {
    const plan = planFirewall(two, firewallFor(two));
    expect(isEmptyPlan(plan)).toBe(true);
    expect(plan.counts.vip).toMatchObject({ unchanged: 2, create: 0 });
  });

  const cases: { name: string; change: (fw: FirewallState) => void; expected: string[] }[] = [
    {
      name: 'a NAT pointed at another host is updated, only in the changed field',
      change: (fw) => Object.assign(fw.nats[1] ?? {}, { source: '69.1.1.99' }),
      expected: ['update nat 38.247.82.3 #1'],
    },
    {
      name: 'a rule disabled in the web UI is enabled again',
      change: (fw) => Object.assign(fw.rules[0] ?? {}, { disabled: true }),
      expected: ['update rule 69.1.1.2 #0'],
    },
    {
      name: 'a managed VIP no entry asks for is deleted',
      change: (fw) =>
        fw.vips.push({
          id: 2,
          mode: 'ipalias',
          interface: 'wan',
          type: 'single',
          subnet: '38.247.83.7',
          subnet_bits: 23,
          descr: 'DMZ: gone',
        }),
      expected: ['delete vip 38.247.83.7 #2'],
    },
    {
      name: 'a MAC written in capitals by hand is the same MAC',
      change: (fw) => Object.assign(fw.dhcp[0] ?? {}, { mac: '02:00:00:00:00:02'.toUpperCase() }),
      expected: [],
    },
    {
      name: 'a managed duplicate is deleted and the original kept',
      change: (fw) =>
        fw.nats.push({
          ...(fw.nats[0] ?? { interface: 'wan', external: '', source: '', destination: '' }),
          id: 2,
        }),
      expected: ['delete nat 38.247.82.2 #2'],
    },
    {
      name: 'unmanaged objects are never touched, even with a managed-looking key',
      change: (fw) => {
        fw.rules.push({
          id: 2,
          tracker: 9,
          type: 'block',
          interface: ['wan'],
          ipprotocol: 'inet',
          source: 'any',
          destination: '69.1.1.2',
          descr: 'office block',
        });
        fw.vips.push({
          id: 2,
          mode: 'ipalias',
          interface: 'wan',
          type: 'single',
          subnet: '38.247.83.200',
          subnet_bits: 23,
          descr: 'office',
        });
      },
      expected: [],
    },
  ];

  it.each(cases)('$name', ({ change, expected }) => {
    const firewall = firewallFor(two);
    change(firewall);
    expect(summary(planFirewall(two, firewall).changes)).toEqual(expected);
  });

  it('sends an update only the fields that differ and keeps the stable key to find it again', () => {
    const firewall = firewallFor(two);
    Object.assign(firewall.rules[1] ?? {}, { descr: 'DMZ: edited by hand', disabled: true });
    const [update] = planFirewall(two, firewall).changes;
    expect(update).toMatchObject({
      action: 'update',
      fields: { descr: 'DMZ: 38.247.82.3 -> 69.1.1.3', disabled: false },
      locator: { field: 'tracker', value: '5001' },
    });
  });

  it('deletes rules, then NAT, then VIPs, then mappings, each from the highest id down', () => {
    const firewall = firewallFor(generateConfig(site, [entry(2), entry(3), entry(4)]));
    const plan = planFirewall(generateConfig(site, [entry(3)]), firewall);
    expect(summary(plan.changes)).toEqual([
      'delete rule 69.1.1.4 #2',
      'delete rule 69.1.1.2 #0',
      'delete nat 38.247.82.4 #2',
      'delete nat 38.247.82.2 #0',
      'delete vip 38.247.82.4 #2',
      'delete vip 38.247.82.2 #0',
      'delete dhcp 02:00:00:00:00:04 #2',
      'delete dhcp 02:00:00:00:00:02 #0',
    ]);
  });

  it('lists unmanaged objects separately and turns a key they hold into a conflict, not a write', () => {
    const firewall: FirewallState = {
      ...empty,
      vips: [
        {
          id: 0,
          mode: 'ipalias',
          interface: 'wan',
          type: 'single',
          subnet: '38.247.82.2',
          subnet_bits: 23,
          descr: 'office',
        },
      ],
    };
    const plan = planFirewall(generateConfig(site, [entry(2)]), firewall);
    expect(plan.unmanaged).toEqual([{ kind: 'vip', id: 0, key: '38.247.82.2', descr: 'office' }]);
    expect(plan.conflicts).toEqual([
      expect.objectContaining({
        kind: 'vip',
        key: '38.247.82.2',
        line: 6,
        unmanaged: expect.objectContaining({ id: 0 }),
      }),
    ]);
    expect(summary(plan.changes)).not.toContain('create vip 38.247.82.2');
  });

  it('makes no VIP for an entry with vip: false', () => {
    const plan = planFirewall(generateConfig(site, [entry(2, { vip: false })]), empty);
    expect(plan.counts.vip.create).toBe(0);
    expect(plan.counts.nat.create).toBe(1);
  });

  it('leaves rules alone on a site that does not manage them', () => {
    const manual: Site = resolveSite('manual', { ...site.settings, manage_rules: false });
    const firewall = firewallFor(generateConfig(site, [entry(2)]));
    const plan = planFirewall(generateConfig(manual, [entry(3)]), firewall);
    expect(plan.changes.filter((c) => c.kind === 'rule')).toEqual([]);
  });

  it('matches interfaces the REST API reports by description', () => {
    const firewall = firewallFor(two);
    const described: FirewallState = {
      ...firewall,
      vips: firewall.vips.map((v) => ({ ...v, interface: 'WAN' })),
      rules: firewall.rules.map((r) => ({ ...r, interface: ['WAN'] })),
    };
    expect(isEmptyPlan(planFirewall(two, described))).toBe(false);
    expect(isEmptyPlan(planFirewall(two, normalizeInterfaces(described)))).toBe(true);
  });
});
