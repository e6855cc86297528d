import type { VirtualIpFields } from '../api/vips.ts';
import { managedDescription } from './descriptions.ts';
import type { DesiredEntry } from './desired.ts';
import type { Site } from './site.ts';

/** An IP alias for the public address on the WAN side, with the site's prefix length. */
export function buildVirtualIp(entry: DesiredEntry, site: Site): VirtualIpFields {
  return {
    mode: site.settings.vip_mode,
    interface: site.settings.wan_interface,
    type: 'single',
    subnet: entry.publicIp,
    subnet_bits: site.vipSubnetBits,
    descr: managedDescription(site, entry),
  };
}
