import {
  firewallSiteSettingsSchema,
  type FirewallSiteSettings,
  type FirewallSiteSettingsInput,
} from '@skyy/contracts';
import { parseCidr, type Ipv4Network } from '../utils/net-utils.ts';

/**
 * A site's firewall settings, checked and with the networks parsed once. The settings schema
 * (and its defaults) lives in @skyy/contracts so config.yaml, the CLI and the console share it.
 */
export interface Site {
  name: string;
  settings: FirewallSiteSettings;
  publicNetwork: Ipv4Network;
  lanNetwork: Ipv4Network;
  /** Prefix length written on VIPs: `vip_subnet_bits`, else the public subnet's. */
  vipSubnetBits: number;
}

export function resolveSite(name: string, input: FirewallSiteSettingsInput): Site {
  const settings = firewallSiteSettingsSchema.parse(input);
  const publicNetwork = parseCidr(settings.public_subnet);
  const lanNetwork = parseCidr(settings.lan_subnet);
  // The schema has already checked both; this only narrows the types.
  if (!publicNetwork || !lanNetwork) throw new Error(`site ${name}: unreadable subnet`);
  return {
    name,
    settings,
    publicNetwork,
    lanNetwork,
    vipSubnetBits: settings.vip_subnet_bits ?? publicNetwork.prefix,
  };
}
