import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { FirewallRule } from '../api/rules.ts';
import type { NetworkInterface } from '../api/status.ts';
import { resolveSite } from '../lib/site.ts';
import { formatFinding, hasErrors, type Finding, type FindingCode } from './findings.ts';
import type { FirewallState } from './firewall-state.ts';
import { loadNetworkingFile } from './networking-file.ts';
import { validateNetworking } from './validate.ts';

const site = resolveSite('hargett', {
  public_subnet: '38.247.82.0/23',
  lan_interface: 'opt3',
  lan_subnet: '69.1.0.0/22',
});
const hargett = new URL('../../../../desired_state/networking/networking_hargett.yaml', import.meta.url);

const interfaces: NetworkInterface[] = [
  { id: 'wan', if: 'vtnet0', descr: 'WAN', ipaddr: '38.247.82.1', subnet: 23 },
  { id: 'opt3', if: 'vtnet4', descr: 'DMZ', ipaddr: '69.1.1.1', subnet: 22 },
];
const emptyFirewall: FirewallState = { interfaces, vips: [], nats: [], rules: [], dhcp: [] };

/** A networking file from entries written as YAML lines. */
function file(...entries: string[][]): string {
  return [
    'ips:',
    ...entries.flatMap((lines) => lines.map((line, i) => `${i === 0 ? '  - ' : '    '}${line}`)),
  ].join('\n');
}
const entry = (publicIp: string, internalIp: string, mac: string) => [
  `public_ip: ${publicIp}`,
  `internal_ip: ${internalIp}`,
  `mac: "${mac}"`,
];
const good = entry('38.247.82.2', '69.1.1.2', '02:00:2e:8c:5e:78');

function validate(text: string, actual?: FirewallState): Finding[] {
  return validateNetworking({ site, file: loadNetworkingFile(text, 'networking_test.yaml'), actual });
}

const rule = (id: number, fields: Partial<FirewallRule>): FirewallRule => ({
  id,
  tracker: 1000 + id,
  type: 'pass',
  interface: ['wan'],
  ipprotocol: 'inet',
  protocol: null,
  source: 'any',
  destination: 'any',
  descr: '',
  disabled: false,
  ...fields,
});

describe("validate: the user's file", () => {
  it('finds nothing wrong with the 508-entry networking file, with or without the firewall', () => {
    const text = readFileSync(hargett, 'utf8');
    expect(validate(text)).toEqual([]);
    expect(validate(text, emptyFirewall)).toEqual([]);
  });
});

describe('validate: every rule, each with a broken file', () => {
  const cases: {
    rule: FindingCode;
    severity: 'error' | 'warning';
    text: string;
    line?: number;
    actual?: FirewallState;
  }[] = [
    {
      rule: 'yaml-syntax',
      severity: 'error',
      text: file([
        'public_ip: 38.247.82.2',
        'public_ip: 38.247.82.3',
        'internal_ip: 69.1.1.2',
        'mac: "02:00:00:00:00:01"',
      ]),
      line: 3,
    },
    { rule: 'file-shape', severity: 'error', text: 'ips: 38.247.82.2', line: 1 },
    {
      rule: 'unknown-key',
      severity: 'error',
      text: file(['public_ip: 38.247.82.2', 'internal_ip: 69.1.1.2', 'mak: "02:00:00:00:00:01"']),
      line: 4,
    },
    {
      rule: 'missing-key',
      severity: 'error',
      text: file(['public_ip: 38.247.82.2', 'internal_ip: 69.1.1.2']),
      line: 2,
    },
    {
      rule: 'malformed-ip',
      severity: 'error',
      text: file(entry('38.247.82.256', '69.1.1.2', '02:00:00:00:00:01')),
      line: 2,
    },
    {
      rule: 'malformed-mac',
      severity: 'error',
      text: file(entry('38.247.82.2', '69.1.1.2', '02:00:00:00:01')),
      line: 4,
    },
    {
      rule: 'duplicate-public-ip',
      severity: 'error',
      text: file(good, entry('38.247.82.2', '69.1.1.3', '02:00:00:00:00:03')),
      line: 5,
    },
    {
      rule: 'duplicate-internal-ip',
      severity: 'error',
      text: file(good, entry('38.247.82.3', '69.1.1.2', '02:00:00:00:00:03')),
      line: 5,
    },
    {
      rule: 'duplicate-mac',
      severity: 'error',
      text: file(good, entry('38.247.82.3', '69.1.1.3', '02:00:2E:8C:5E:78')),
      line: 5,
    },
    {
      rule: 'mac-not-locally-administered',
      severity: 'error',
      text: file(entry('38.247.82.2', '69.1.1.2', 'bc:24:11:00:00:01')),
      line: 2,
    },
    {
      rule: 'mac-multicast',
      severity: 'error',
      text: file(entry('38.247.82.2', '69.1.1.2', '03:00:00:00:00:01')),
      line: 2,
    },
    {
      rule: 'public-ip-outside-subnet',
      severity: 'error',
      text: file(entry('38.247.84.2', '69.1.1.2', '02:00:00:00:00:01')),
      line: 2,
    },
    {
      rule: 'public-ip-reserved',
      severity: 'error',
      text: file(entry('38.247.83.255', '69.1.1.2', '02:00:00:00:00:01')),
      line: 2,
    },
    {
      rule: 'internal-ip-outside-lan',
      severity: 'error',
      text: file(entry('38.247.82.2', '10.1.1.2', '02:00:00:00:00:01')),
      line: 2,
    },
    {
      rule: 'internal-ip-reserved',
      severity: 'error',
      text: file(entry('38.247.82.2', '69.1.3.255', '02:00:00:00:00:01')),
      line: 2,
    },
    {
      rule: 'vip-is-interface-address',
      severity: 'error',
      text: file(entry('38.247.82.1', '69.1.1.2', '02:00:00:00:00:01')),
      line: 2,
      actual: emptyFirewall,
    },
    {
      rule: 'internal-ip-is-interface-address',
      severity: 'error',
      text: file(entry('38.247.82.2', '69.1.1.1', '02:00:00:00:00:01')),
      line: 2,
      actual: emptyFirewall,
    },
    {
      rule: 'nat-without-vip',
      severity: 'error',
      text: file([...good, 'vip: false']),
      line: 2,
      actual: emptyFirewall,
    },
    {
      rule: 'rule-shadowed',
      severity: 'warning',
      text: file(good),
      line: 2,
      actual: {
        ...emptyFirewall,
        rules: [rule(0, { type: 'block', destination: '69.1.0.0/22', descr: 'quarantine DMZ' })],
      },
    },
    {
      rule: 'unexplained-managed-object',
      severity: 'warning',
      text: file(good),
      actual: {
        ...emptyFirewall,
        vips: [
          {
            id: 0,
            mode: 'ipalias',
            interface: 'wan',
            type: 'single',
            subnet: '38.247.83.9',
            subnet_bits: 23,
            descr: 'DMZ: old',
          },
        ],
      },
    },
    {
      rule: 'conflicts-with-unmanaged',
      severity: 'error',
      text: file(good),
      line: 2,
      actual: {
        ...emptyFirewall,
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
      },
    },
  ];

  it.each(cases)(
    '$rule is reported as $severity at the entry',
    ({ rule: code, severity, text, line, actual }) => {
      const findings = validate(text, actual);
      const found = findings.filter((f) => f.code === code);
      expect(found, findings.map(formatFinding).join('\n')).toHaveLength(1);
      const [finding] = found;
      expect(finding?.severity).toBe(severity);
      expect(finding?.fix.length).toBeGreaterThan(10);
      if (line !== undefined) expect(finding).toMatchObject({ file: 'networking_test.yaml', line });
      else expect(finding?.object).toBeDefined();
      expect(hasErrors(findings)).toBe(severity === 'error');
    },
  );

  it('reports every problem of a file in one run, not only the first', () => {
    const text = file(
      entry('38.247.82.2', '69.1.1.2', 'nope'),
      entry('38.247.99.3', '69.1.1.3', '02:00:00:00:00:03'),
      entry('38.247.82.4', '69.1.1.3', '02:00:00:00:00:04'),
    );
    expect(validate(text).map((f) => `${f.line} ${f.code}`)).toEqual([
      '4 malformed-mac',
      '8 duplicate-internal-ip',
      '5 public-ip-outside-subnet',
    ]);
  });

  it('suggests the key a typo meant and names file and line in the message', () => {
    const [finding] = validate(
      file(['public_ip: 38.247.82.2', 'internal_ip: 69.1.1.2', 'mak: "02:00:00:00:00:01"']),
    );
    expect(finding && formatFinding(finding)).toBe(
      'networking_test.yaml:4: error [unknown-key] Unknown key `mak`. Fix: Did you mean `mac`? Rename the key.',
    );
  });

  it('accepts vip: false when a network VIP on the firewall covers the address', () => {
    const covered: FirewallState = {
      ...emptyFirewall,
      vips: [
        {
          id: 0,
          mode: 'proxyarp',
          interface: 'wan',
          type: 'network',
          subnet: '38.247.82.0',
          subnet_bits: 24,
          descr: 'block',
        },
      ],
    };
    expect(validate(file([...good, 'vip: false']), covered)).toEqual([]);
  });

  it('does not call a rule shadowed when the earlier rule only covers one protocol', () => {
    const actual = {
      ...emptyFirewall,
      rules: [rule(0, { type: 'block', protocol: 'tcp', destination: 'any' })],
    };
    expect(validate(file(good), actual)).toEqual([]);
  });

  it('allows vendor MACs on a site that does not require locally administered ones', () => {
    const relaxed = resolveSite('lab', { ...site.settings, require_locally_administered_mac: false });
    const findings = validateNetworking({
      site: relaxed,
      file: loadNetworkingFile(file(entry('38.247.82.2', '69.1.1.2', 'bc:24:11:00:00:01')), 'n.yaml'),
    });
    expect(findings).toEqual([]);
  });
});
