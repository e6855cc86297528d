import * as z from 'zod';
import { defineResource } from './resource.ts';

/**
 * Firewall rules (`/api/v2/firewall/rule[s]`). Order matters (first match wins per interface) and
 * ids shift; the stable key is `tracker`, which pfSense assigns on create.
 */

export const firewallRuleSchema = z.object({
  id: z.number().int(),
  tracker: z.union([z.number(), z.string()]).nullish(),
  type: z.string(),
  interface: z.array(z.string()),
  ipprotocol: z.string(),
  protocol: z.string().nullish(),
  source: z.string(),
  source_port: z.union([z.string(), z.number()]).nullish(),
  destination: z.string(),
  destination_port: z.union([z.string(), z.number()]).nullish(),
  descr: z.string().nullish(),
  disabled: z.boolean().nullish(),
  log: z.boolean().nullish(),
  floating: z.boolean().nullish(),
  quick: z.boolean().nullish(),
  direction: z.string().nullish(),
});
export type FirewallRule = z.output<typeof firewallRuleSchema>;

export interface FirewallRuleFields {
  type: 'pass' | 'block' | 'reject';
  interface: string[];
  ipprotocol: 'inet' | 'inet6' | 'inet46';
  protocol: string | null;
  source: string;
  destination: string;
  descr: string;
  disabled: boolean;
}

export const firewallRules = defineResource<FirewallRuleFields, typeof firewallRuleSchema>({
  model: 'FirewallRule',
  singular: '/api/v2/firewall/rule',
  plural: '/api/v2/firewall/rules',
  schema: firewallRuleSchema,
});
