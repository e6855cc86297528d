import type { OneToOneNatFields } from '../api/nats.ts';
import { managedDescription } from './descriptions.ts';
import type { DesiredEntry } from './desired.ts';
import type { Site } from './site.ts';

/**
 * 1:1 NAT on WAN from the public IP to the internal one, for traffic from anywhere. pfSense names
 * the internal host `source` and the remote side `destination` (hence `any` there).
 */
export function buildOneToOneNat(entry: DesiredEntry, site: Site): OneToOneNatFields {
  return {
    interface: site.settings.wan_interface,
    disabled: false,
    ipprotocol: 'inet',
    external: entry.publicIp,
    source: entry.internalIp,
    destination: 'any',
    descr: managedDescription(site, entry),
  };
}
