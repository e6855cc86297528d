import type { PfSenseClient } from '../api/client.ts';
import { PfSenseError, PfSenseHttpError } from '../api/errors.ts';
import { supportsDryRun } from '../api/status.ts';
import { interfaceResolver, readFirewallState } from './firewall-state.ts';
import type { DesiredState } from './generate-config.ts';
import { objectOps } from './object-ops.ts';
import { planFirewall, type Plan, type PlannedChange } from './plan.ts';

/**
 * The plan, with every write of it checked by the firewall itself through `dry_run` (REST API
 * v2.8.0+): what pfSense would refuse shows up before anything is written. On older packages
 * only the plan is returned (`supported: false`) — their DELETE would ignore `dry_run` and delete.
 */
export interface PreviewCheck {
  change: PlannedChange;
  accepted: boolean;
  message?: string;
  responseId?: string;
}

export interface SyncPreview {
  supported: boolean;
  plan: Plan;
  checks: PreviewCheck[];
}

export async function previewSync(client: PfSenseClient, desired: DesiredState): Promise<SyncPreview> {
  const actual = await readFirewallState(client, desired.site);
  const plan = planFirewall(desired, actual);
  if (!(await supportsDryRun(client))) return { supported: false, plan, checks: [] };

  const ops = objectOps(client, desired.site, interfaceResolver(actual.interfaces));
  const checks: PreviewCheck[] = [];
  for (const change of plan.changes) {
    const kind = ops[change.kind];
    try {
      if (change.action === 'create') await kind.create(change.fields, { dryRun: true });
      else if (change.action === 'update') await kind.update(change.id, change.fields, { dryRun: true });
      else await kind.remove(change.id, { dryRun: true });
      checks.push({ change, accepted: true });
    } catch (error) {
      if (!(error instanceof PfSenseError)) throw error;
      checks.push({
        change,
        accepted: false,
        message: error instanceof PfSenseHttpError ? error.serverMessage : error.message,
        ...(error instanceof PfSenseHttpError && error.responseId ? { responseId: error.responseId } : {}),
      });
    }
  }
  return { supported: true, plan, checks };
}
