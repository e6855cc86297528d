import * as z from 'zod';
import type { PfSenseClient } from './client.ts';
import { PfSenseNotFoundError } from './errors.ts';
import { registerEndpoint } from './resource.ts';

/** System status, versions and interfaces: what the console's status panel and the planner read. */

const PATHS = {
  systemStatus: '/api/v2/status/system',
  version: '/api/v2/system/version',
  restApiVersion: '/api/v2/system/restapi/version',
  interfaces: '/api/v2/interfaces',
  interfaceStats: '/api/v2/status/interfaces',
} as const;
registerEndpoint({ method: 'GET', path: PATHS.systemStatus, model: 'SystemStatus' });
registerEndpoint({ method: 'GET', path: PATHS.version, model: 'SystemVersion' });
registerEndpoint({ method: 'GET', path: PATHS.restApiVersion, model: 'RESTAPIVersion' });
registerEndpoint({ method: 'GET', path: PATHS.interfaces, model: 'NetworkInterface' });
registerEndpoint({ method: 'GET', path: PATHS.interfaceStats, model: 'InterfaceStats' });

export const systemStatusSchema = z.object({
  platform: z.string().nullish(),
  uptime: z.string().nullish(),
  cpu_model: z.string().nullish(),
  cpu_count: z.number().nullish(),
  cpu_usage: z.number().nullish(),
  cpu_load_avg: z.array(z.number()).nullish(),
  mem_usage: z.number().nullish(),
  swap_usage: z.number().nullish(),
  disk_usage: z.number().nullish(),
  temp_c: z.number().nullish(),
});
export type SystemStatus = z.output<typeof systemStatusSchema>;

export const systemVersionSchema = z.object({
  version: z.string(),
  base: z.string().nullish(),
  patch: z.string().nullish(),
  buildtime: z.string().nullish(),
});
export type SystemVersion = z.output<typeof systemVersionSchema>;

export const networkInterfaceSchema = z.object({
  id: z.string(),
  if: z.string(),
  descr: z.string(),
  enable: z.boolean().nullish(),
  typev4: z.string().nullish(),
  ipaddr: z.string().nullish(),
  subnet: z.number().nullish(),
});
export type NetworkInterface = z.output<typeof networkInterfaceSchema>;

export const interfaceStatsSchema = z.object({
  name: z.string().nullish(),
  descr: z.string().nullish(),
  hwif: z.string().nullish(),
  status: z.string().nullish(),
  enable: z.boolean().nullish(),
  ipaddr: z.string().nullish(),
  subnet: z.string().nullish(),
  inbytes: z.number().nullish(),
  outbytes: z.number().nullish(),
  inerrs: z.number().nullish(),
  outerrs: z.number().nullish(),
});
export type InterfaceStats = z.output<typeof interfaceStatsSchema>;

export function getSystemStatus(client: PfSenseClient): Promise<SystemStatus> {
  return client.get(PATHS.systemStatus, { schema: systemStatusSchema });
}

export function getSystemVersion(client: PfSenseClient): Promise<SystemVersion> {
  return client.get(PATHS.version, { schema: systemVersionSchema });
}

/** The REST API package version (`v2.8.0`), or undefined on packages too old to say. */
export async function getRestApiVersion(client: PfSenseClient): Promise<string | undefined> {
  try {
    const data = await client.get(PATHS.restApiVersion, {
      schema: z.object({ current_version: z.string() }),
    });
    return data.current_version;
  } catch (error) {
    if (error instanceof PfSenseNotFoundError) return undefined;
    throw error;
  }
}

/** `dry_run` exists from REST API v2.8.0; older packages would ignore it on DELETE and really delete. */
export async function supportsDryRun(client: PfSenseClient): Promise<boolean> {
  const cached = client.capabilities.get('dry_run');
  if (cached !== undefined) return cached;
  const version = await getRestApiVersion(client);
  const supported = version !== undefined && versionAtLeast(version, [2, 8, 0]);
  client.capabilities.set('dry_run', supported);
  return supported;
}

export function listInterfaces(client: PfSenseClient): Promise<NetworkInterface[]> {
  return client.get(PATHS.interfaces, { schema: z.array(networkInterfaceSchema) });
}

export function listInterfaceStats(client: PfSenseClient): Promise<InterfaceStats[]> {
  return client.get(PATHS.interfaceStats, { schema: z.array(interfaceStatsSchema) });
}

export function versionAtLeast(version: string, minimum: readonly [number, number, number]): boolean {
  const parts = version.replace(/^v/, '').split(/[.-]/).map(Number);
  for (let i = 0; i < 3; i++) {
    const part = parts[i] ?? 0;
    const wanted = minimum[i] ?? 0;
    if (Number.isNaN(part)) return false;
    if (part !== wanted) return part > wanted;
  }
  return true;
}
