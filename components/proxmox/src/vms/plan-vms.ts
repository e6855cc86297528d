import type { DesiredVm } from '@skyy/contracts';
import type { GuestResource } from '../client/cluster.ts';
import { allocateGpus, type GpuRequest } from './gpu-allocation.ts';
import {
  defaultIdentity,
  hasCreatingMarker,
  hasTag,
  recordedSource,
  sourceTag,
  type IdentityOptions,
} from './identity.ts';
import { diffTarget, resolveTarget } from './target.ts';
import type {
  ClusterSnapshot,
  CreateAction,
  CreateSource,
  DesiredHostVms,
  PlanIssue,
  PlanOptions,
  VmAction,
  VmPlan,
} from './types.ts';

interface Declared {
  vm: DesiredVm;
  node: string;
  file: string | undefined;
  existing: GuestResource | undefined;
}

/**
 * Compares desired VMs with the cluster and says what to do with each: create, update (field by
 * field, flagging what needs a restart), replace, delete, keep or leave unchanged. Pure: the
 * snapshot holds everything it looks at. Plans with errors must not be applied.
 */
export function planVms(
  desired: DesiredHostVms[],
  snapshot: ClusterSnapshot,
  options: PlanOptions = {},
): VmPlan {
  const identity: IdentityOptions = {
    managedTag: options.managedTag ?? defaultIdentity.managedTag,
    createdTag: options.createdTag ?? defaultIdentity.createdTag,
  };
  const errors: PlanIssue[] = [];
  const warnings: PlanIssue[] = [];
  const actions: VmAction[] = [];
  const vms = snapshot.guests.filter((g) => g.type === 'qemu' && !g.template);
  const configOf = (vmid: number) => snapshot.configs[String(vmid)]?.config;
  const isManaged = (g: GuestResource) =>
    hasTag(g.tags, identity.managedTag) || hasCreatingMarker(configOf(g.vmid)?.description, g.name);
  const isCreated = (g: GuestResource) =>
    hasTag(g.tags, identity.createdTag) || hasCreatingMarker(configOf(g.vmid)?.description, g.name);

  // Identify: a declared VM is the managed VM of the same name, wherever it runs.
  const declared: Declared[] = [];
  const seen = new Map<string, string>();
  for (const host of desired) {
    const node = snapshot.nodes.find((n) => n.name === host.node);
    if (!node)
      errors.push({
        vm: undefined,
        node: host.node,
        message: `node ${host.node}${host.file ? ` (${host.file})` : ''} is not in the cluster`,
      });
    else if (!node.online)
      errors.push({ vm: undefined, node: host.node, message: `node ${host.node} is offline` });
    for (const vm of host.vms) {
      const where = host.file ?? host.node;
      const other = seen.get(vm.name);
      if (other) {
        errors.push({
          vm: vm.name,
          node: host.node,
          message: `VM name '${vm.name}' is declared twice (${other} and ${where})`,
        });
        continue;
      }
      seen.set(vm.name, where);
      const managed = vms.filter((g) => g.name === vm.name && isManaged(g));
      if (managed.length > 1) {
        errors.push({
          vm: vm.name,
          node: host.node,
          message: `several VMs named '${vm.name}' carry ${identity.managedTag}: VMIDs ${managed.map((g) => g.vmid).join(', ')}`,
        });
        continue;
      }
      const existing = managed[0];
      if (!existing) {
        const namesake = vms.find((g) => g.name === vm.name);
        if (namesake) {
          errors.push({
            vm: vm.name,
            node: host.node,
            message: `VM '${vm.name}' exists (VMID ${namesake.vmid} on ${namesake.node}) without the ${identity.managedTag} tag; Skyy does not adopt VMs by name: add the tag in Proxmox to manage it, or rename one of them`,
          });
          continue;
        }
        const holder = vm.vmid === undefined ? undefined : snapshot.guests.find((g) => g.vmid === vm.vmid);
        if (holder) {
          errors.push({
            vm: vm.name,
            node: host.node,
            message: `VMID ${vm.vmid} is already used by ${holder.name || holder.type} on ${holder.node}`,
          });
          continue;
        }
      }
      declared.push({ vm, node: host.node, file: host.file, existing });
    }
  }

  const gpuRequests: GpuRequest[] = declared.map((d) => ({ vm: d.vm, node: d.node, vmid: d.existing?.vmid }));
  const gpus = allocateGpus(gpuRequests, snapshot);
  errors.push(...gpus.errors);

  const createAction = (d: Declared): CreateAction | undefined => {
    const source = resolveSource(d, snapshot, errors);
    if (!source) return undefined;
    return {
      action: 'create',
      name: d.vm.name,
      node: d.node,
      vmid: d.vm.vmid,
      source,
      target: resolveTarget(d.vm, d.node, gpus.values.get(d.vm.name), identity, undefined, {
        created: true,
        source:
          source.kind === 'clone' ? { kind: 'clone', template: source.template.name } : { kind: 'fresh' },
      }),
    };
  };

  for (const d of declared) {
    const { vm, node, existing } = d;
    // A VM whose GPUs could not be chosen has its error; it gets no action.
    if (vm.gpus?.length && !gpus.values.has(vm.name)) continue;
    if (!existing) {
      const create = createAction(d);
      if (create) actions.push(create);
      continue;
    }
    const current = snapshot.configs[String(existing.vmid)];
    if (!current) {
      const offline = snapshot.nodes.some((n) => n.name === existing.node && !n.online);
      errors.push({
        vm: vm.name,
        node,
        message: offline
          ? `VMID ${existing.vmid} is on node ${existing.node}, which is offline`
          : `the config of VMID ${existing.vmid} was not read`,
      });
      continue;
    }
    const created = isCreated(existing);
    const running = existing.status === 'running';
    const target = resolveTarget(vm, node, gpus.values.get(vm.name), identity, current, { created });
    if (hasCreatingMarker(current.config.description, vm.name) && vm.description === undefined)
      target.absent.push('description');
    if (existing.lock)
      warnings.push({
        vm: vm.name,
        node,
        message: `VMID ${existing.vmid} is locked (${existing.lock}); applying waits for or fails on the lock`,
      });

    const diff = diffTarget(target, current.config, running);
    for (const message of diff.warnings) warnings.push({ vm: vm.name, node, message });
    if (vm.vmid !== undefined && vm.vmid !== existing.vmid)
      diff.replaceReasons.push(`VMID is ${existing.vmid}, declared ${vm.vmid}`);
    const sourceChange = changedSource(vm, existing, snapshot);
    if (sourceChange?.reason) diff.replaceReasons.push(sourceChange.reason);
    if (sourceChange?.warning) warnings.push({ vm: vm.name, node, message: sourceChange.warning });

    const migrateFrom = existing.node !== node ? existing.node : undefined;
    const hasGpus =
      (vm.gpus?.length ?? 0) > 0 || Object.keys(current.config).some((k) => /^hostpci\d+$/.test(k));
    if (migrateFrom && hasGpus && diff.replaceReasons.length === 0) {
      errors.push({
        vm: vm.name,
        node,
        message: `VM '${vm.name}' runs on ${migrateFrom} but is declared on ${node}; VMs with GPUs are not migrated automatically: migrate it in Proxmox or declare it in ${migrateFrom}'s host file`,
      });
      continue;
    }

    if (diff.replaceReasons.length > 0) {
      const refusal = !options.allowDelete
        ? 'deleting is not allowed (pass allowDelete / --allow-delete)'
        : vm.protect
          ? 'it is protected (protect: true)'
          : current.config.protection === '1'
            ? 'protection is set in Proxmox'
            : !created
              ? `Skyy did not create it (no ${identity.createdTag} tag)`
              : undefined;
      if (refusal) {
        errors.push({
          vm: vm.name,
          node,
          message: `VM '${vm.name}' must be replaced (${diff.replaceReasons.join('; ')}) but ${refusal}`,
        });
        continue;
      }
      const create = createAction(d);
      if (create) {
        actions.push({
          action: 'replace',
          name: vm.name,
          node,
          vmid: existing.vmid,
          running,
          reasons: diff.replaceReasons,
          create,
        });
      }
      continue;
    }

    const powerOn = vm.start && !running;
    if (diff.changes.length === 0 && diff.resizes.length === 0 && !powerOn && !migrateFrom) {
      actions.push({ action: 'unchanged', name: vm.name, node, vmid: existing.vmid });
      continue;
    }
    actions.push({
      action: 'update',
      name: vm.name,
      node,
      vmid: existing.vmid,
      migrateFrom,
      running,
      changes: diff.changes,
      resizes: diff.resizes,
      powerOn,
      rebootRequired: diff.changes.some((c) => c.rebootRequired),
      target,
    });
  }

  // Managed VMs on the declared nodes that no host file mentions anymore.
  const scope = new Set(desired.map((h) => h.node));
  for (const guest of vms) {
    if (!scope.has(guest.node) || !isManaged(guest) || seen.has(guest.name)) continue;
    const base = { name: guest.name, node: guest.node, vmid: guest.vmid };
    if (!isCreated(guest)) {
      actions.push({
        action: 'keep',
        ...base,
        reason: `not declared; adopted, not created by Skyy (no ${identity.createdTag} tag), so never deleted`,
      });
    } else if (configOf(guest.vmid)?.protection === '1') {
      actions.push({ action: 'keep', ...base, reason: 'not declared; protection is set in Proxmox' });
    } else if (!options.allowDelete) {
      actions.push({
        action: 'keep',
        ...base,
        reason: 'not declared; pass allowDelete (--allow-delete) to delete it',
      });
    } else {
      actions.push({ action: 'delete', ...base, running: guest.status === 'running' });
    }
  }

  actions.sort((a, b) => a.node.localeCompare(b.node) || a.name.localeCompare(b.name));
  const count = (kind: VmAction['action']) => actions.filter((a) => a.action === kind).length;
  return {
    actions,
    errors,
    warnings,
    summary: {
      create: count('create'),
      update: count('update'),
      replace: count('replace'),
      delete: count('delete'),
      keep: count('keep'),
      unchanged: count('unchanged'),
    },
  };
}

function resolveSource(
  d: Declared,
  snapshot: ClusterSnapshot,
  errors: PlanIssue[],
): CreateSource | undefined {
  const { vm, node } = d;
  if (vm.template === undefined) return { kind: 'fresh', iso: vm.iso };
  const templates = snapshot.guests.filter((g) => g.type === 'qemu' && g.template);
  const matches = templates.filter((g) =>
    typeof vm.template === 'number' ? g.vmid === vm.template : g.name === vm.template,
  );
  // Prefer the template on the VM's own node (local storage), else any copy.
  const template =
    matches.find((g) => g.node === node) ?? [...matches].sort((a, b) => a.node.localeCompare(b.node))[0];
  if (!template) {
    errors.push({
      vm: vm.name,
      node,
      message: `template '${vm.template}' not found (templates: ${templates.map((t) => `${t.name} (${t.vmid})`).join(', ') || 'none'})`,
    });
    return undefined;
  }
  // PVE takes a target storage only for full clones; a linked clone stays on the template's storage.
  const storage = vm.full_clone ? vm.disks?.[0]?.storage : undefined;
  return {
    kind: 'clone',
    template: { vmid: template.vmid, node: template.node, name: template.name },
    full: vm.full_clone,
    storage,
  };
}

/**
 * Whether the declared source (template, or none for a fresh VM) differs from the one recorded
 * when Skyy created the VM. Only a recorded source counts: VMs without the record (created
 * before it was written, or adopted) are never replaced for it.
 */
function changedSource(
  vm: DesiredVm,
  existing: GuestResource,
  snapshot: ClusterSnapshot,
): { reason?: string; warning?: string } | undefined {
  const recorded = recordedSource(existing.tags);
  if (!recorded) return undefined;
  if (vm.template === undefined)
    return recorded.kind === 'clone'
      ? { reason: `cloned from template ${recorded.template}, declared without a template (a fresh VM)` }
      : undefined;
  let declared: string;
  if (typeof vm.template === 'number') {
    const template = snapshot.guests.find((g) => g.template && g.vmid === vm.template);
    if (!template)
      return {
        warning: `template ${vm.template} not found; whether VMID ${existing.vmid} was made from it is not checked`,
      };
    declared = template.name;
  } else declared = vm.template;
  if (recorded.kind === 'fresh')
    return { reason: `created without a template, declared as a clone of ${declared}` };
  return sourceTag(recorded) === sourceTag({ kind: 'clone', template: declared })
    ? undefined
    : { reason: `cloned from template ${recorded.template}, declared template ${declared}` };
}
