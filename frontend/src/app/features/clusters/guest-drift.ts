import type { ClusterDrift, ClusterGuest } from '@skyy/contracts';
import { otherDetails, updateDetails } from './vm-plan-actions.ts';

/** One field of a declared VM: what its host file says and what the cluster has. */
export interface DriftRow {
  field: string;
  declared: string;
  actual: string;
  /** The change waits for a restart of the running VM (PVE keeps it pending until then). */
  restart: boolean;
}

export interface PlanNote {
  kind: 'error' | 'warning';
  message: string;
}

/** What the drift says about one guest, as the VM page shows it. */
export type GuestDriftState =
  | { state: 'in-sync'; node: string }
  | { state: 'drift'; node: string; rows: DriftRow[]; restartNeeded: boolean }
  | { state: 'replace'; node: string; reasons: string[] }
  /** Carries skyy-managed, but no host file on its node declares it. */
  | { state: 'not-declared'; created: boolean; reason: string | null }
  | { state: 'unmanaged'; reason: string };

export type GuestDrift = GuestDriftState & { notes: PlanNote[] };

const MANAGED = 'skyy-managed';
const CREATED = 'skyy-created';
const TEMPLATE_PREFIX = 'skyy-template.';
const NO_TEMPLATE = 'skyy-no-template';

const hasTag = (guest: ClusterGuest, tag: string) => guest.tags.some((t) => t.toLowerCase() === tag);

/** What Skyy's identity tags mean (the planner matches a VM by name plus skyy-managed); null for other tags. */
export function explainTag(tag: string): string | null {
  const lower = tag.toLowerCase();
  if (lower === MANAGED) return 'Skyy reconciles this VM with the declared VM of the same name';
  if (lower === CREATED) return 'Skyy created it, so Skyy may delete it (only with --allow-delete)';
  if (lower === NO_TEMPLATE) return 'Skyy created it without a template (a fresh VM)';
  if (lower.startsWith(TEMPLATE_PREFIX))
    return `Skyy cloned it from the template ${lower.slice(TEMPLATE_PREFIX.length)}; declaring another template replaces it`;
  return null;
}

/**
 * This guest's place in the cluster's drift (GET /clusters/:id/drift, planned without deletions).
 * The plan names a declared VM by the VMID of the managed VM it matched, so the VMID finds it.
 */
export function guestDrift(guest: ClusterGuest, drift: ClusterDrift): GuestDrift {
  const about = (issue: { vm?: string | null | undefined }) => issue.vm === guest.name;
  const notes: PlanNote[] = [
    ...drift.plan.errors.filter(about).map((i) => ({ kind: 'error' as const, message: i.message })),
    ...drift.plan.warnings.filter(about).map((i) => ({ kind: 'warning' as const, message: i.message })),
  ];
  const action = drift.plan.actions.find(
    (a) => a.action !== 'create' && a.name === guest.name && a['vmid'] === guest.vmid,
  );
  if (guest.type === 'lxc')
    return { state: 'unmanaged', reason: 'Skyy plans QEMU VMs only; containers are not managed.', notes };
  if (guest.template)
    return {
      state: 'unmanaged',
      reason: 'a template: Skyy clones declared VMs from templates but never changes them.',
      notes,
    };
  if (action?.action === 'unchanged') return { state: 'in-sync', node: action.node, notes };
  if (action?.action === 'update') return { ...updateState(action, guest), notes };
  if (action?.action === 'replace') {
    const details = otherDetails.safeParse(action);
    return {
      state: 'replace',
      node: action.node,
      reasons: details.success ? details.data.reasons : [],
      notes,
    };
  }
  if (!hasTag(guest, MANAGED))
    return {
      state: 'unmanaged',
      reason: `it has no ${MANAGED} tag (add it in Proxmox to adopt the VM when a host file declares one named ${guest.name}).`,
      notes,
    };
  const keep = action?.action === 'keep' ? otherDetails.safeParse(action) : null;
  return {
    state: 'not-declared',
    created: hasTag(guest, CREATED),
    reason: keep?.success ? (keep.data.reason ?? null) : null,
    notes,
  };
}

function updateState(action: Record<string, unknown> & { node: string }, guest: ClusterGuest) {
  const parsed = updateDetails.safeParse(action);
  const update = parsed.success ? parsed.data : null;
  const rows: DriftRow[] = [
    ...(update?.migrateFrom
      ? [{ field: 'node', declared: action.node, actual: update.migrateFrom, restart: false }]
      : []),
    ...(update?.changes ?? []).map((change) => ({
      field: change.key,
      declared: change.to ?? '(not set)',
      actual: change.from ?? '(not set)',
      restart: change.rebootRequired,
    })),
    ...(update?.resizes ?? []).map((resize) => ({
      field: resize.disk,
      declared: `${resize.toGiB} GiB`,
      actual: `${resize.fromGiB} GiB`,
      restart: false,
    })),
    ...(update?.powerOn
      ? [{ field: 'status', declared: 'running', actual: guest.status, restart: false }]
      : []),
  ];
  return {
    state: 'drift' as const,
    node: action.node,
    rows,
    restartNeeded: !!update?.rebootRequired || rows.some((row) => row.restart),
  };
}
