import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseYamlWith } from '../yaml/parse-yaml.ts';
import {
  firewallSiteSettingsSchema,
  networkingFileJsonSchema,
  networkingFileSchema,
} from './networking.schema.ts';

const hargett = new URL('../../../desired_state/networking/networking_hargett.yaml', import.meta.url);

describe('networkingFileSchema', () => {
  it("loads the user's 508-entry networking file unchanged", () => {
    const result = parseYamlWith(
      networkingFileSchema,
      readFileSync(hargett, 'utf8'),
      'networking_hargett.yaml',
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.ips).toHaveLength(508);
    expect(result.value.ips[0]).toEqual({
      public_ip: '38.247.82.2',
      internal_ip: '69.1.1.2',
      mac: '02:00:2e:8c:5e:78',
    });
  });

  it('reports a malformed MAC and a misspelt key with their lines', () => {
    const text = [
      'ips:',
      '  - public_ip: 38.247.82.2',
      '    internal_ip: 69.1.1.2',
      '    mac: "02:00:2e:8c:5e"',
      '  - public_ip: 38.247.82.3',
      '    internal_ip: 69.1.1.3',
      '    mak: "02:00:2e:8c:5e:79"',
    ].join('\n');
    const result = parseYamlWith(networkingFileSchema, text, 'n.yaml');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((issue) => [issue.line, issue.path])).toEqual(
      expect.arrayContaining([
        [4, 'ips[0].mac'],
        [5, 'ips[1].mac'],
        [7, 'ips[1].mak'],
      ]),
    );
  });

  it('refuses an address that is not IPv4', () => {
    const result = networkingFileSchema.safeParse({
      ips: [{ public_ip: '38.247.82.256', internal_ip: '69.1.1.2', mac: '02:00:00:00:00:01' }],
    });
    expect(result.success).toBe(false);
  });
});

describe('firewallSiteSettingsSchema', () => {
  it("fills in the user's defaults around the site's own networks", () => {
    const site = firewallSiteSettingsSchema.parse({
      public_subnet: '38.247.82.0/23',
      lan_interface: 'opt3',
      lan_subnet: '69.1.0.0/22',
    });
    expect(site).toMatchObject({
      vip_mode: 'ipalias',
      wan_interface: 'wan',
      managed_prefix: 'DMZ: ',
      require_locally_administered_mac: true,
      arp_table_static_entry: true,
    });
  });

  it('refuses a public subnet that is not a CIDR network', () => {
    expect(
      firewallSiteSettingsSchema.safeParse({
        public_subnet: '38.247.82.0',
        lan_interface: 'opt3',
        lan_subnet: '69.1.0.0/22',
      }).success,
    ).toBe(false);
    expect(
      firewallSiteSettingsSchema.safeParse({
        public_subnet: '38.247.300.0/23',
        lan_interface: 'opt3',
        lan_subnet: '69.1.0.0/22',
      }).success,
    ).toBe(false);
  });
});

describe('networkingFileJsonSchema', () => {
  it('matches the JSON Schema committed for editors', () => {
    const committed = new URL('../../../desired_state/schemas/networking.schema.json', import.meta.url);
    expect(JSON.parse(readFileSync(committed, 'utf8'))).toEqual(networkingFileJsonSchema());
  });
});
