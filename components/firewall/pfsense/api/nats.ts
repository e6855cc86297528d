import * as z from 'zod';
import { defineResource } from './resource.ts';

/**
 * 1:1 NAT mappings (`/api/v2/firewall/nat/one_to_one/mapping[s]`). In pfSense's terms `external`
 * is the public address, `source` the internal host it maps to, `destination` limits which remote
 * addresses the mapping applies to (`any`). Stable key: `external`.
 */

export const oneToOneNatSchema = z.object({
  id: z.number().int(),
  interface: z.string(),
  disabled: z.boolean().nullish(),
  nobinat: z.boolean().nullish(),
  natreflection: z.string().nullish(),
  ipprotocol: z.string().nullish(),
  external: z.string(),
  source: z.string(),
  destination: z.string(),
  descr: z.string().nullish(),
});
export type OneToOneNat = z.output<typeof oneToOneNatSchema>;

export interface OneToOneNatFields {
  interface: string;
  disabled: boolean;
  ipprotocol: 'inet' | 'inet6';
  external: string;
  source: string;
  destination: string;
  descr: string;
}

export const oneToOneNats = defineResource<OneToOneNatFields, typeof oneToOneNatSchema>({
  model: 'OneToOneNATMapping',
  singular: '/api/v2/firewall/nat/one_to_one/mapping',
  plural: '/api/v2/firewall/nat/one_to_one/mappings',
  schema: oneToOneNatSchema,
});
