import type { OneToOneNatFields } from '../api/nats.ts';
import type { FirewallRuleFields } from '../api/rules.ts';
import type { StaticMappingFields } from '../api/dhcp.ts';
import type { VirtualIpFields } from '../api/vips.ts';
import { buildStaticMapping } from '../lib/dhcp.ts';
import type { DesiredEntry } from '../lib/desired.ts';
import { buildOneToOneNat } from '../lib/nats.ts';
import { buildPassRule } from '../lib/rules.ts';
import type { Site } from '../lib/site.ts';
import { buildVirtualIp } from '../lib/vips.ts';
import { compareIpv4 } from '../utils/net-utils.ts';
import type { LoadedNetworkingFile } from './networking-file.ts';

/**
 * The firewall objects a site should have: for each entry a VIP (unless `vip: false`), a 1:1 NAT,
 * a pass rule (when the site manages rules) and a DHCP static mapping, each with its stable key.
 * Deployments that ask for a public IP will add entries here too; the builders do not care where
 * an entry came from.
 */

export type ObjectKind = 'vip' | 'nat' | 'rule' | 'dhcp';

export interface DesiredObject<F> {
  /** Stable key: VIP subnet, NAT external, rule destination, DHCP mac. */
  key: string;
  entry: DesiredEntry;
  fields: F;
}

export interface DesiredState {
  site: Site;
  entries: DesiredEntry[];
  vips: DesiredObject<VirtualIpFields>[];
  nats: DesiredObject<OneToOneNatFields>[];
  rules: DesiredObject<FirewallRuleFields>[];
  dhcp: DesiredObject<StaticMappingFields>[];
}

export function generateConfig(site: Site, entries: readonly DesiredEntry[]): DesiredState {
  const sorted = [...entries].sort((a, b) => compareIpv4(a.publicIp, b.publicIp));
  // On duplicate keys (a validation error) the first entry wins, so the plan stays well-defined.
  const firstBy = <F>(objects: DesiredObject<F>[]) => {
    const seen = new Set<string>();
    return objects.filter((object) => !seen.has(object.key) && seen.add(object.key));
  };
  return {
    site,
    entries: sorted,
    vips: firstBy(
      sorted
        .filter((entry) => entry.vip)
        .map((entry) => ({ key: entry.publicIp, entry, fields: buildVirtualIp(entry, site) })),
    ),
    nats: firstBy(
      sorted.map((entry) => ({ key: entry.publicIp, entry, fields: buildOneToOneNat(entry, site) })),
    ),
    rules: site.settings.manage_rules
      ? firstBy(sorted.map((entry) => ({ key: entry.internalIp, entry, fields: buildPassRule(entry, site) })))
      : [],
    dhcp: firstBy(
      sorted.map((entry) => ({ key: entry.mac, entry, fields: buildStaticMapping(entry, site) })),
    ),
  };
}

/** The well-formed entries of a loaded networking file. */
export function entriesOf(file: LoadedNetworkingFile): DesiredEntry[] {
  return file.entries.flatMap((item) => (item.entry ? [item.entry] : []));
}
