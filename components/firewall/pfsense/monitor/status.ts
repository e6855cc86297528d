import { getApplyStatus, type ApplyStatus } from '../api/apply.ts';
import type { PfSenseClient } from '../api/client.ts';
import { PfSenseError } from '../api/errors.ts';
import {
  getRestApiVersion,
  getSystemStatus,
  getSystemVersion,
  listInterfaceStats,
  type InterfaceStats,
  type SystemStatus,
  type SystemVersion,
} from '../api/status.ts';

/**
 * A firewall's health for the console's status panel, collected on a schedule: version, uptime,
 * CPU, memory, interfaces and changes written but not applied. An unreachable firewall is a
 * status too (`reachable: false` with the reason), not an exception.
 */

export interface FirewallStatus {
  collectedAt: string;
  reachable: boolean;
  error?: string;
  version?: string;
  restApiVersion?: string;
  uptime?: string;
  cpu?: { model: string | null; count: number | null; usagePercent: number | null; loadAverage: number[] };
  memoryUsagePercent?: number | null;
  diskUsagePercent?: number | null;
  temperatureC?: number | null;
  interfaces?: { name: string; description: string; device: string; up: boolean; address: string | null }[];
  pending?: { firewall: string[] | boolean; virtualIps: boolean; dhcp: boolean };
}

export interface StatusParts {
  version: SystemVersion;
  restApiVersion: string | undefined;
  system: SystemStatus;
  interfaces: InterfaceStats[];
  apply: { firewall: ApplyStatus; virtualIps: ApplyStatus; dhcp: ApplyStatus };
}

export async function collectFirewallStatus(
  client: PfSenseClient,
  now: () => Date = () => new Date(),
): Promise<FirewallStatus> {
  try {
    const [version, restApiVersion, system, interfaces, firewall, virtualIps, dhcp] = await Promise.all([
      getSystemVersion(client),
      getRestApiVersion(client),
      getSystemStatus(client),
      listInterfaceStats(client),
      getApplyStatus(client, 'firewall'),
      getApplyStatus(client, 'virtual_ip'),
      getApplyStatus(client, 'dhcp'),
    ]);
    return summarizeStatus(
      { version, restApiVersion, system, interfaces, apply: { firewall, virtualIps, dhcp } },
      now(),
    );
  } catch (error) {
    if (!(error instanceof PfSenseError)) throw error;
    return { collectedAt: now().toISOString(), reachable: false, error: error.message };
  }
}

/** Pure: the API's answers → what the console shows. */
export function summarizeStatus(parts: StatusParts, at: Date): FirewallStatus {
  const { system, apply } = parts;
  return {
    collectedAt: at.toISOString(),
    reachable: true,
    version: parts.version.version,
    ...(parts.restApiVersion ? { restApiVersion: parts.restApiVersion } : {}),
    uptime: system.uptime ?? undefined,
    cpu: {
      model: system.cpu_model ?? null,
      count: system.cpu_count ?? null,
      usagePercent: system.cpu_usage ?? null,
      loadAverage: system.cpu_load_avg ?? [],
    },
    memoryUsagePercent: system.mem_usage ?? null,
    diskUsagePercent: system.disk_usage ?? null,
    temperatureC: system.temp_c ?? null,
    interfaces: parts.interfaces.map((i) => ({
      name: i.name ?? '',
      description: i.descr ?? '',
      device: i.hwif ?? '',
      up: i.status === 'up',
      address: i.ipaddr ? `${i.ipaddr}/${i.subnet ?? ''}` : null,
    })),
    pending: {
      firewall: apply.firewall.applied ? false : (apply.firewall.pending_subsystems ?? true),
      virtualIps: !apply.virtualIps.applied,
      dhcp: !apply.dhcp.applied,
    },
  };
}
