import * as z from 'zod';

/**
 * A site's networking file (`desired_state/networking/networking_<site>.yaml`) in the user's
 * format, unchanged: `ips:` is a list of `{public_ip, internal_ip, mac}`, one per public IP that
 * is mapped 1:1 to a machine behind the firewall. Two optional keys are Skyy Command additions:
 * `description` (appended to the managed objects' descriptions) and `vip: false` (the public IP
 * is already routed to the firewall, e.g. by a network VIP, so no single-address VIP is made).
 */

const ipv4 = z.ipv4({ error: 'expected an IPv4 address like 38.247.82.2' });

/** Six hex pairs separated by `:` or `-`, any case; Skyy Command writes them lowercase with `:`. */
export const macAddressSchema = z
  .string()
  .regex(
    /^[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(\1[0-9A-Fa-f]{2}){4}$/,
    'expected a MAC address like 02:00:2e:8c:5e:78',
  );

export const ipv4CidrSchema = z
  .string()
  .regex(/^(\d{1,3}\.){3}\d{1,3}\/(3[0-2]|[12]?\d)$/, 'expected an IPv4 network like 38.247.82.0/23')
  .refine((value) => (value.split('/')[0] ?? '').split('.').every((octet) => Number(octet) <= 255), {
    error: 'expected an IPv4 network like 38.247.82.0/23',
  });

export const networkingEntrySchema = z.strictObject({
  public_ip: ipv4,
  internal_ip: ipv4,
  mac: macAddressSchema,
  description: z.string().max(200).optional(),
  vip: z.boolean().optional(),
});

export const networkingFileSchema = z.strictObject({
  ips: z.array(networkingEntrySchema).default([]),
});

export type NetworkingEntry = z.output<typeof networkingEntrySchema>;
export type NetworkingFile = z.output<typeof networkingFileSchema>;

/**
 * How one site's firewall is laid out. Everything a site may change lives here, not in code; the
 * defaults are what the first user does today (VIP `ipalias` on `wan`, `DMZ: ` descriptions,
 * static ARP on DHCP reservations, locally administered MACs).
 */
export const firewallSiteSettingsSchema = z.strictObject({
  /** The public block routed to this firewall, e.g. `38.247.82.0/23`. Every public IP must lie in it. */
  public_subnet: ipv4CidrSchema,
  /** Prefix length written on each VIP; defaults to the public subnet's (23 for a /23). */
  vip_subnet_bits: z.number().int().min(1).max(32).optional(),
  vip_mode: z.enum(['ipalias', 'proxyarp', 'other']).default('ipalias'),
  /** pfSense interface id of the WAN side (VIPs, 1:1 NAT and pass rules live here). */
  wan_interface: z.string().min(1).default('wan'),
  /** pfSense interface id whose DHCP server holds the static mappings, e.g. `opt3`. */
  lan_interface: z.string().min(1),
  /** The LAN side's network; every internal IP must lie in it, e.g. `69.1.0.0/22`. */
  lan_subnet: ipv4CidrSchema,
  /** Objects whose description starts with this are Skyy Command's; nothing else is ever touched. */
  managed_prefix: z.string().min(1).default('DMZ: '),
  require_locally_administered_mac: z.boolean().default(true),
  arp_table_static_entry: z.boolean().default(true),
  /** Create a pass rule on WAN for each internal IP (the user's practice); false leaves rules alone. */
  manage_rules: z.boolean().default(true),
});

export type FirewallSiteSettingsInput = z.input<typeof firewallSiteSettingsSchema>;
export type FirewallSiteSettings = z.output<typeof firewallSiteSettingsSchema>;

/**
 * The JSON Schema editors use to check networking files (`# yaml-language-server: $schema=…`),
 * generated from the zod schema; `desired_state/schemas/networking.schema.json` is its output.
 */
export function networkingFileJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(networkingFileSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }),
    $id: 'https://skyy.command/schemas/networking.schema.json',
    title: 'Skyy Command networking file (desired_state/networking/networking_<site>.yaml)',
  };
}
