import type { FirewallRule } from '../api/rules.ts';
import type { DesiredEntry } from '../lib/desired.ts';
import { isManagedDescription } from '../lib/descriptions.ts';
import type { Site } from '../lib/site.ts';
import {
  cidrContains,
  formatCidr,
  isLocallyAdministeredMac,
  isMulticastMac,
  isNetworkOrBroadcast,
  parseCidr,
  parseIpv4,
} from '../utils/net-utils.ts';
import type { Finding } from './findings.ts';
import type { FirewallState } from './firewall-state.ts';
import { entriesOf, generateConfig } from './generate-config.ts';
import type { LoadedNetworkingFile } from './networking-file.ts';
import { planFirewall } from './plan.ts';

/**
 * Every check of a site's networking file: the file on its own (shape, formats, duplicates), the
 * file against the site (subnets, MAC policy) and, when the firewall's state is given, the file
 * against the firewall (interface addresses, NAT without VIP, shadowed rules, conflicts with
 * unmanaged objects, managed objects no entry explains). Pure: the caller reads the firewall.
 */
export interface ValidateInput {
  site: Site;
  file: LoadedNetworkingFile;
  actual?: FirewallState;
}

export function validateNetworking({ site, file, actual }: ValidateInput): Finding[] {
  const findings: Finding[] = [...file.findings];
  const entries = entriesOf(file);
  const at = (entry: DesiredEntry, index?: number) => ({
    file: entry.source.file,
    line: entry.source.line,
    ...(index === undefined ? {} : { entry: index }),
  });

  findings.push(...duplicates(entries, at));
  for (const entry of entries) findings.push(...entryAgainstSite(entry, site, at));
  if (actual) findings.push(...againstFirewall(entries, site, actual, at));
  return findings;
}

type Locate = (entry: DesiredEntry) => { file: string; line: number };

function duplicates(entries: DesiredEntry[], at: Locate): Finding[] {
  const findings: Finding[] = [];
  const checks = [
    { code: 'duplicate-public-ip', label: 'public_ip', value: (e: DesiredEntry) => e.publicIp },
    { code: 'duplicate-internal-ip', label: 'internal_ip', value: (e: DesiredEntry) => e.internalIp },
    { code: 'duplicate-mac', label: 'mac', value: (e: DesiredEntry) => e.mac },
  ] as const;
  for (const check of checks) {
    const first = new Map<string, DesiredEntry>();
    for (const entry of entries) {
      const value = check.value(entry);
      const earlier = first.get(value);
      if (!earlier) {
        first.set(value, entry);
        continue;
      }
      findings.push({
        severity: 'error',
        code: check.code,
        message: `${check.label} ${value} is already used by the entry at line ${earlier.source.line}.`,
        fix: `Give this entry its own ${check.label}, or delete one of the two entries.`,
        ...at(entry),
      });
    }
  }
  return findings;
}

function entryAgainstSite(entry: DesiredEntry, site: Site, at: Locate): Finding[] {
  const findings: Finding[] = [];
  const publicNet = formatCidr(site.publicNetwork);
  const lanNet = formatCidr(site.lanNetwork);
  if (!cidrContains(site.publicNetwork, entry.publicIp)) {
    findings.push({
      severity: 'error',
      code: 'public-ip-outside-subnet',
      message: `public_ip ${entry.publicIp} is outside the site's public subnet ${publicNet}.`,
      fix: `Use an address in ${publicNet}, or correct public_subnet in the site settings.`,
      ...at(entry),
    });
  } else if (isNetworkOrBroadcast(site.publicNetwork, entry.publicIp)) {
    findings.push({
      severity: 'error',
      code: 'public-ip-reserved',
      message: `public_ip ${entry.publicIp} is the network or broadcast address of ${publicNet}.`,
      fix: 'Use a host address of the subnet instead.',
      ...at(entry),
    });
  }
  if (!cidrContains(site.lanNetwork, entry.internalIp)) {
    findings.push({
      severity: 'error',
      code: 'internal-ip-outside-lan',
      message: `internal_ip ${entry.internalIp} is outside ${lanNet}, the subnet of DHCP interface ${site.settings.lan_interface}.`,
      fix: `Use an address in ${lanNet}, or correct lan_subnet/lan_interface in the site settings.`,
      ...at(entry),
    });
  } else if (isNetworkOrBroadcast(site.lanNetwork, entry.internalIp)) {
    findings.push({
      severity: 'error',
      code: 'internal-ip-reserved',
      message: `internal_ip ${entry.internalIp} is the network or broadcast address of ${lanNet}.`,
      fix: 'Use a host address of the LAN subnet instead.',
      ...at(entry),
    });
  }
  if (isMulticastMac(entry.mac)) {
    findings.push({
      severity: 'error',
      code: 'mac-multicast',
      message: `mac ${entry.mac} is a group (multicast) address; no machine has it.`,
      fix: 'Copy the MAC from the VM or NIC; its first byte must be even (e.g. 02:…).',
      ...at(entry),
    });
  } else if (site.settings.require_locally_administered_mac && !isLocallyAdministeredMac(entry.mac)) {
    findings.push({
      severity: 'error',
      code: 'mac-not-locally-administered',
      message: `mac ${entry.mac} is not locally administered, and this site requires that.`,
      fix: 'Give the VM a locally administered MAC (second hex digit 2, 6, A or E, e.g. 02:00:…), or set require_locally_administered_mac: false for the site.',
      ...at(entry),
    });
  }
  return findings;
}

function againstFirewall(entries: DesiredEntry[], site: Site, actual: FirewallState, at: Locate): Finding[] {
  const findings: Finding[] = [];
  const interfaceByAddress = new Map(
    actual.interfaces.filter((i) => i.ipaddr).map((i) => [i.ipaddr ?? '', i]),
  );
  const unmanagedVips = actual.vips.filter((v) => !isManagedDescription(site, v.descr));

  for (const entry of entries) {
    const owner = interfaceByAddress.get(entry.publicIp);
    if (owner) {
      findings.push({
        severity: 'error',
        code: 'vip-is-interface-address',
        message: `public_ip ${entry.publicIp} is the address of interface ${owner.descr} (${owner.id}); a VIP cannot take it.`,
        fix: 'Pick another public IP for this entry; the interface address belongs to the firewall itself.',
        ...at(entry),
      });
    }
    const lanOwner = interfaceByAddress.get(entry.internalIp);
    if (lanOwner) {
      findings.push({
        severity: 'error',
        code: 'internal-ip-is-interface-address',
        message: `internal_ip ${entry.internalIp} is the address of interface ${lanOwner.descr} (${lanOwner.id}).`,
        fix: 'Give the machine another internal address; this one is the firewall (its gateway).',
        ...at(entry),
      });
    }
    if (!entry.vip && !owner) {
      const covered = unmanagedVips.some((vip) =>
        vipCovers(vip.subnet, vip.subnet_bits, vip.type, entry.publicIp),
      );
      if (!covered) {
        findings.push({
          severity: 'error',
          code: 'nat-without-vip',
          message: `public_ip ${entry.publicIp} has \`vip: false\` but no virtual IP on the firewall covers it, so its 1:1 NAT would receive nothing.`,
          fix: 'Remove `vip: false` so Skyy Command creates the VIP, or add a VIP (e.g. a network VIP) that covers this address.',
          ...at(entry),
        });
      }
    }
  }

  for (const nat of actual.nats) {
    if (isManagedDescription(site, nat.descr)) continue;
    const covered =
      interfaceByAddress.has(nat.external) ||
      entries.some((e) => e.vip && e.publicIp === nat.external) ||
      actual.vips.some((vip) => vipCovers(vip.subnet, vip.subnet_bits, vip.type, nat.external));
    if (!covered) {
      findings.push({
        severity: 'warning',
        code: 'nat-without-vip',
        message: `1:1 NAT #${nat.id} "${nat.descr ?? ''}" maps ${nat.external}, which no virtual IP or interface holds.`,
        fix: `Add a virtual IP for ${nat.external} in pfSense, or delete this 1:1 NAT.`,
        object: { kind: 'nat', id: nat.id, descr: nat.descr ?? '' },
      });
    }
  }

  findings.push(...shadowedRules(entries, site, actual, at));

  const desired = generateConfig(site, entries);
  const plan = planFirewall(desired, actual);
  for (const conflict of plan.conflicts) {
    const entry = entries.find((e) => e.source.line === conflict.line && e.source.file === conflict.file);
    findings.push({
      severity: 'error',
      code: 'conflicts-with-unmanaged',
      message: `The ${conflict.kind} for ${conflict.key} would collide with unmanaged ${conflict.kind} #${conflict.unmanaged.id} "${conflict.unmanaged.descr}".`,
      fix: `Delete the firewall's object, or let Skyy Command adopt it by starting its description with "${site.settings.managed_prefix}".`,
      ...(entry ? at(entry) : { file: conflict.file, line: conflict.line }),
    });
  }
  for (const change of plan.changes) {
    if (change.action !== 'delete' || change.reason !== 'no entry in the networking file') continue;
    findings.push({
      severity: 'warning',
      code: 'unexplained-managed-object',
      message: `Managed ${change.kind} #${change.id} "${change.descr}" (${change.key}) matches no entry; apply will delete it.`,
      fix: `Add an entry for ${change.key} to the networking file to keep it, or remove the "${site.settings.managed_prefix}" prefix from its description to keep it unmanaged.`,
      object: { kind: change.kind, id: change.id, descr: change.descr },
    });
  }
  return findings;
}

function vipCovers(subnet: string, bits: number, type: string | null | undefined, address: string): boolean {
  if (type === 'network') {
    const network = parseCidr(`${subnet}/${bits}`);
    return network !== null && cidrContains(network, address);
  }
  return subnet === address;
}

/**
 * A managed pass rule never matches if an earlier rule on WAN (or a quick floating rule) takes all
 * of its traffic: any source, any protocol, a destination covering the internal IP. New rules are
 * appended, so every existing rule is "earlier" than them.
 */
function shadowedRules(entries: DesiredEntry[], site: Site, actual: FirewallState, at: Locate): Finding[] {
  if (!site.settings.manage_rules) return [];
  const wan = site.settings.wan_interface;
  const findings: Finding[] = [];
  const positionOf = new Map<string, number>();
  for (const rule of actual.rules) {
    if (isManagedDescription(site, rule.descr) && !positionOf.has(rule.destination)) {
      positionOf.set(rule.destination, rule.id);
    }
  }
  const order = (rule: FirewallRule) => (rule.floating ? -1 : rule.id);

  for (const entry of entries) {
    const position = positionOf.get(entry.internalIp) ?? Infinity;
    const shadow = actual.rules.find(
      (rule) =>
        order(rule) < position &&
        !isManagedDescription(site, rule.descr) &&
        takesAllTrafficTo(rule, wan, entry.internalIp),
    );
    if (!shadow) continue;
    const blocked = shadow.type !== 'pass';
    findings.push({
      severity: 'warning',
      code: 'rule-shadowed',
      message: blocked
        ? `Earlier rule #${shadow.id} "${shadow.descr ?? ''}" ${shadow.type}s all traffic to ${entry.internalIp}, so this entry's pass rule never matches.`
        : `Earlier rule #${shadow.id} "${shadow.descr ?? ''}" already passes all traffic to ${entry.internalIp}; this entry's pass rule is redundant.`,
      fix: blocked
        ? `Narrow or move rule #${shadow.id} below the "${site.settings.managed_prefix}" rules in pfSense.`
        : `Nothing breaks; narrow rule #${shadow.id} if it passes more than you meant.`,
      ...at(entry),
    });
  }
  return findings;
}

function takesAllTrafficTo(rule: FirewallRule, wan: string, address: string): boolean {
  if (rule.disabled) return false;
  if (rule.floating && rule.quick !== true) return false;
  if (!rule.interface.includes(wan)) return false;
  if (rule.ipprotocol === 'inet6') return false;
  if (rule.protocol !== null && rule.protocol !== undefined && rule.protocol !== 'any') return false;
  if (rule.source !== 'any') return false;
  if (rule.destination === 'any') return true;
  if (rule.destination.startsWith('!')) return false;
  const network = parseCidr(rule.destination);
  return network !== null && parseIpv4(address) !== null && cidrContains(network, address);
}
