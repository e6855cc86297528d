import * as z from 'zod';
import { defineResource } from './resource.ts';

/** Virtual IPs (`/api/v2/firewall/virtual_ip[s]`). Stable key: `subnet` (unique on the firewall). */

export const virtualIpSchema = z.object({
  id: z.number().int(),
  uniqid: z.string().nullish(),
  mode: z.string(),
  interface: z.string(),
  type: z.string().nullish(),
  subnet: z.string(),
  subnet_bits: z.number().int(),
  descr: z.string().nullish(),
});
export type VirtualIp = z.output<typeof virtualIpSchema>;

export interface VirtualIpFields {
  mode: 'ipalias' | 'proxyarp' | 'other';
  interface: string;
  type: 'single' | 'network';
  subnet: string;
  subnet_bits: number;
  descr: string;
}

export const virtualIps = defineResource<VirtualIpFields, typeof virtualIpSchema>({
  model: 'VirtualIP',
  singular: '/api/v2/firewall/virtual_ip',
  plural: '/api/v2/firewall/virtual_ips',
  schema: virtualIpSchema,
});
