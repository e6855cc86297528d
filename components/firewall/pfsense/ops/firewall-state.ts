import type { PfSenseClient } from '../api/client.ts';
import { listStaticMappings, type StaticMapping } from '../api/dhcp.ts';
import { oneToOneNats, type OneToOneNat } from '../api/nats.ts';
import { firewallRules, type FirewallRule } from '../api/rules.ts';
import { listInterfaces, type NetworkInterface } from '../api/status.ts';
import { virtualIps, type VirtualIp } from '../api/vips.ts';
import type { Site } from '../lib/site.ts';

/**
 * What the firewall holds for one site, read in five requests (interfaces, VIPs, 1:1 NAT, rules,
 * the LAN interface's DHCP mappings). Interface names are turned into ids (`WAN` → `wan`) because
 * the REST API answers with descriptions by default while Skyy Command writes ids.
 */
export interface FirewallState {
  interfaces: NetworkInterface[];
  vips: VirtualIp[];
  nats: OneToOneNat[];
  rules: FirewallRule[];
  /** Static mappings of the site's LAN interface only. */
  dhcp: StaticMapping[];
}

export async function readFirewallState(client: PfSenseClient, site: Site): Promise<FirewallState> {
  // Reads may overlap: only writes can clobber each other on pfSense.
  const [interfaces, vips, nats, rules, dhcp] = await Promise.all([
    listInterfaces(client),
    virtualIps.list(client),
    oneToOneNats.list(client),
    firewallRules.list(client),
    listStaticMappings(client, site.settings.lan_interface),
  ]);
  return normalizeInterfaces({ interfaces, vips, nats, rules, dhcp });
}

/** Rewrites every interface reference to the interface id. */
export function normalizeInterfaces(state: FirewallState): FirewallState {
  const toId = interfaceResolver(state.interfaces);
  return {
    interfaces: state.interfaces,
    vips: state.vips.map((vip) => ({ ...vip, interface: toId(vip.interface) })),
    nats: state.nats.map((nat) => ({ ...nat, interface: toId(nat.interface) })),
    rules: state.rules.map((rule) => ({ ...rule, interface: rule.interface.map(toId) })),
    dhcp: state.dhcp,
  };
}

export function interfaceResolver(interfaces: readonly NetworkInterface[]): (name: string) => string {
  const byName = new Map<string, string>();
  // Ids win over device names, device names over descriptions, should any of them collide.
  for (const i of interfaces) byName.set(i.id, i.id);
  for (const i of interfaces) if (!byName.has(i.if)) byName.set(i.if, i.id);
  for (const i of interfaces) if (!byName.has(i.descr.toLowerCase())) byName.set(i.descr.toLowerCase(), i.id);
  return (name) => byName.get(name) ?? byName.get(name.toLowerCase()) ?? name;
}
