import type { StaticMappingFields } from '../api/dhcp.ts';
import { managedDescription } from './descriptions.ts';
import type { DesiredEntry } from './desired.ts';
import type { Site } from './site.ts';

/** A DHCP reservation on the site's LAN interface, pinned in the ARP table when the site says so. */
export function buildStaticMapping(entry: DesiredEntry, site: Site): StaticMappingFields {
  return {
    mac: entry.mac,
    ipaddr: entry.internalIp,
    descr: managedDescription(site, entry),
    arp_table_static_entry: site.settings.arp_table_static_entry,
  };
}
