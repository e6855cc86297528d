import type { PfSenseClient } from '../api/client.ts';
import { readFirewallState, type FirewallState } from '../ops/firewall-state.ts';
import type { DesiredState, ObjectKind } from '../ops/generate-config.ts';
import { planFirewall, type FieldDiff } from '../ops/plan.ts';

/**
 * Drift: the firewall's managed objects no longer match the desired state — someone edited one
 * in the pfSense web UI, deleted it, or added one with the managed prefix. Derived from the same
 * plan apply would run, so "no drift" and "apply has nothing to do" always agree.
 */

export interface DriftedObject {
  kind: ObjectKind;
  key: string;
  id: number;
  fields: FieldDiff[];
}

export interface DriftReport {
  inSync: boolean;
  /** Managed objects whose fields differ from the desired state. */
  changed: DriftedObject[];
  /** Desired objects missing on the firewall. */
  missing: { kind: ObjectKind; key: string }[];
  /** Managed objects no entry explains (including duplicates). */
  unexpected: { kind: ObjectKind; key: string; id: number; descr: string }[];
  /** Desired objects blocked by an unmanaged object holding the same key. */
  conflicts: { kind: ObjectKind; key: string; unmanagedId: number }[];
}

export function detectDrift(desired: DesiredState, actual: FirewallState): DriftReport {
  const plan = planFirewall(desired, actual);
  const report: DriftReport = { inSync: true, changed: [], missing: [], unexpected: [], conflicts: [] };
  for (const change of plan.changes) {
    if (change.action === 'update')
      report.changed.push({ kind: change.kind, key: change.key, id: change.id, fields: change.diff });
    if (change.action === 'create') report.missing.push({ kind: change.kind, key: change.key });
    if (change.action === 'delete') {
      report.unexpected.push({ kind: change.kind, key: change.key, id: change.id, descr: change.descr });
    }
  }
  report.conflicts = plan.conflicts.map((c) => ({ kind: c.kind, key: c.key, unmanagedId: c.unmanaged.id }));
  report.inSync = plan.changes.length === 0 && report.conflicts.length === 0;
  return report;
}

export async function checkDrift(client: PfSenseClient, desired: DesiredState): Promise<DriftReport> {
  return detectDrift(desired, await readFirewallState(client, desired.site));
}
