import * as z from 'zod';
import type { PfSenseClient } from './client.ts';
import { registerEndpoint } from './resource.ts';

/**
 * pfSense writes config.xml at once but puts changes in force only when the subsystem is applied:
 * rules and NAT together, VIPs and DHCP each on their own.
 */

export type ApplySubsystem = 'firewall' | 'virtual_ip' | 'dhcp';

const PATHS: Record<ApplySubsystem, { path: string; model: string }> = {
  firewall: { path: '/api/v2/firewall/apply', model: 'FirewallApply' },
  virtual_ip: { path: '/api/v2/firewall/virtual_ip/apply', model: 'VirtualIPApply' },
  dhcp: { path: '/api/v2/services/dhcp_server/apply', model: 'DHCPServerApply' },
};
for (const { path, model } of Object.values(PATHS)) {
  registerEndpoint({ method: 'GET', path, model });
  registerEndpoint({ method: 'POST', path, model });
}

export const applyStatusSchema = z.object({
  applied: z.boolean(),
  pending_subsystems: z.array(z.string()).optional(),
});
export type ApplyStatus = z.output<typeof applyStatusSchema>;

/** Whether the subsystem has changes written but not in force. */
export function getApplyStatus(client: PfSenseClient, subsystem: ApplySubsystem): Promise<ApplyStatus> {
  return client.get(PATHS[subsystem].path, { schema: applyStatusSchema });
}

export function applyChanges(client: PfSenseClient, subsystem: ApplySubsystem): Promise<ApplyStatus> {
  return client.write('POST', PATHS[subsystem].path, { schema: applyStatusSchema });
}
