import * as z from 'zod';
import type { PfSenseClient, QueryValue } from './client.ts';
import { PfSenseNotFoundError } from './errors.ts';
import { defineChildResource, registerEndpoint } from './resource.ts';

/**
 * DHCP static mappings, children of the DHCP server of one interface (`parent_id` = interface id).
 * Stable key: `mac`. Packages before v2.5 have no plural endpoint; the mappings are then read from
 * the DHCP server object itself.
 */

export const staticMappingSchema = z.object({
  id: z.number().int(),
  parent_id: z.string(),
  mac: z.string(),
  ipaddr: z.string().nullish(),
  cid: z.string().nullish(),
  hostname: z.string().nullish(),
  descr: z.string().nullish(),
  arp_table_static_entry: z.boolean().nullish(),
});
export type StaticMapping = z.output<typeof staticMappingSchema>;

export interface StaticMappingFields {
  mac: string;
  ipaddr: string;
  descr: string;
  arp_table_static_entry: boolean;
  hostname?: string;
}

export const staticMappings = defineChildResource<StaticMappingFields, typeof staticMappingSchema>({
  model: 'DHCPServerStaticMapping',
  singular: '/api/v2/services/dhcp_server/static_mapping',
  plural: '/api/v2/services/dhcp_server/static_mappings',
  schema: staticMappingSchema,
});

const DHCP_SERVER = '/api/v2/services/dhcp_server';
registerEndpoint({ method: 'GET', path: DHCP_SERVER, model: 'DHCPServer' });

const dhcpServerSchema = z.object({
  id: z.string(),
  interface: z.string().nullish(),
  enable: z.boolean().nullish(),
  staticmap: z.array(staticMappingSchema.omit({ id: true, parent_id: true }).loose()).default([]),
});

const PLURAL_MISSING = 'dhcp.static_mappings.missing';

/**
 * The static mappings of one interface's DHCP server, whichever way this firewall offers them.
 * `query` filters (e.g. `{ mac: '02:00:…' }`) go to the plural endpoint; on older packages they are
 * applied here.
 */
export async function listStaticMappings(
  client: PfSenseClient,
  parentId: string,
  query: Record<string, QueryValue> = {},
): Promise<StaticMapping[]> {
  if (!client.capabilities.get(PLURAL_MISSING)) {
    try {
      return await staticMappings.list(client, { parent_id: parentId, ...query });
    } catch (error) {
      if (!(error instanceof PfSenseNotFoundError && error.endpointMissing)) throw error;
      client.capabilities.set(PLURAL_MISSING, true);
    }
  }
  const server = await client.get(DHCP_SERVER, { query: { id: parentId }, schema: dhcpServerSchema });
  const all = server.staticmap.map((mapping, index) => ({ ...mapping, id: index, parent_id: parentId }));
  return all.filter((mapping) =>
    Object.entries(query).every(
      ([key, value]) => String((mapping as Record<string, unknown>)[key]) === String(value),
    ),
  );
}
