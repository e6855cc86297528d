import type { FirewallRuleFields } from '../api/rules.ts';
import { managedDescription } from './descriptions.ts';
import type { DesiredEntry } from './desired.ts';
import type { Site } from './site.ts';

/**
 * A pass rule on WAN for all IPv4 traffic to the internal IP (1:1 NAT rewrites the destination
 * before rules are evaluated, so the rule names the internal address).
 */
export function buildPassRule(entry: DesiredEntry, site: Site): FirewallRuleFields {
  return {
    type: 'pass',
    interface: [site.settings.wan_interface],
    ipprotocol: 'inet',
    protocol: null,
    source: 'any',
    destination: entry.internalIp,
    descr: managedDescription(site, entry),
    disabled: false,
  };
}
