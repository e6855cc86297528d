import { displayValue } from './config-values.ts';
import { formatGiB } from './target.ts';
import type { CreateAction, VmAction, VmPlan } from './types.ts';

/** The plan's one-line count: `Plan: 1 to create, 0 to update, … unchanged.` */
export function renderPlanSummary(plan: VmPlan): string {
  const s = plan.summary;
  return `Plan: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.unchanged} unchanged${s.keep ? `, ${s.keep} kept` : ''}.`;
}

/**
 * The plan as a human reads it before approving, in the manner of Terraform:
 * `+` create, `~` update in place, `-/+` replace, `-` delete.
 */
export function renderPlan(plan: VmPlan): string {
  const lines: string[] = [];
  const changing = plan.actions.filter((a) => a.action !== 'unchanged');
  if (changing.length === 0 && plan.errors.length === 0) {
    lines.push('No changes. The VMs match the desired state.');
  } else if (changing.length > 0) {
    lines.push('Skyy will perform the following actions on the Proxmox cluster:', '');
    for (const action of changing) lines.push(...renderAction(action), '');
  }
  lines.push(renderPlanSummary(plan));
  if (plan.warnings.length > 0) {
    lines.push('', 'Warnings:');
    for (const w of plan.warnings) lines.push(`  ! ${w.vm ?? w.node ?? ''}: ${w.message}`);
  }
  if (plan.errors.length > 0) {
    lines.push('', `Errors (${plan.errors.length}); nothing can be applied until they are fixed:`);
    for (const e of plan.errors) lines.push(`  ✗ ${e.vm ?? e.node ?? ''}: ${e.message}`);
  }
  return lines.join('\n');
}

function quote(value: string | undefined): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}

function createBody(action: CreateAction, sign: string): string[] {
  const lines: string[] = [];
  const config = action.target.config;
  const width = Math.max(...Object.keys(config).map((k) => k.length), 5);
  for (const [key, value] of Object.entries(config))
    lines.push(`      ${sign} ${key.padEnd(width)} = ${quote(displayValue(key, value))}`);
  for (const disk of action.target.disks)
    lines.push(
      `      ${sign} ${disk.slot.padEnd(width)} = ${quote(`${disk.storage}, ${formatGiB(disk.sizeGiB)}`)}`,
    );
  if (action.target.start) lines.push(`      ${sign} ${'power'.padEnd(width)} = "running"`);
  return lines;
}

function describeSource(action: CreateAction): string {
  const vmid = action.vmid === undefined ? 'VMID assigned at apply' : `VMID ${action.vmid}`;
  return action.source.kind === 'clone'
    ? `${action.source.full ? 'full' : 'linked'} clone of ${action.source.template.name} (${action.source.template.vmid} on ${action.source.template.node}), ${vmid}`
    : `fresh VM${action.source.iso ? ` booting ${action.source.iso}` : ''}, ${vmid}`;
}

function renderAction(action: VmAction): string[] {
  switch (action.action) {
    case 'create':
      return [
        `  # ${action.name} will be created on ${action.node} (${describeSource(action)})`,
        `  + vm "${action.name}" {`,
        ...createBody(action, '+'),
        '    }',
      ];
    case 'replace':
      return [
        `  # ${action.name} (VMID ${action.vmid} on ${action.node}) must be replaced: ${action.reasons.join('; ')}`,
        `  # the new VM: ${describeSource(action.create)}`,
        `-/+ vm "${action.name}" {`,
        ...createBody(action.create, '+'),
        '    }',
      ];
    case 'update': {
      const head = `  # ${action.name} (VMID ${action.vmid} on ${action.migrateFrom ?? action.node}) will be updated in-place${action.rebootRequired ? ' (some changes apply at the next restart)' : ''}`;
      const body: string[] = [];
      if (action.migrateFrom)
        body.push(
          `      ~ node = ${quote(action.migrateFrom)} -> ${quote(action.node)}   (migration${action.running ? ', live' : ''})`,
        );
      const width = Math.max(...action.changes.map((c) => c.key.length), 4);
      for (const c of action.changes) {
        const sign = c.from === undefined ? '+' : c.to === undefined ? '-' : '~';
        const value =
          sign === '+'
            ? quote(displayValue(c.key, c.to))
            : sign === '-'
              ? quote(displayValue(c.key, c.from))
              : `${quote(displayValue(c.key, c.from))} -> ${quote(displayValue(c.key, c.to))}`;
        body.push(
          `      ${sign} ${c.key.padEnd(width)} = ${value}${c.rebootRequired ? '   (restart required)' : ''}`,
        );
      }
      for (const r of action.resizes)
        body.push(`      ~ ${r.disk} size = "${formatGiB(r.fromGiB)}" -> "${formatGiB(r.toGiB)}"`);
      if (action.powerOn) body.push(`      ~ power = "stopped" -> "running"`);
      return [head, `  ~ vm "${action.name}" {`, ...body, '    }'];
    }
    case 'delete':
      return [
        `  # ${action.name} (VMID ${action.vmid} on ${action.node}) will be destroyed${action.running ? ' (stopped first)' : ''}`,
        `  - vm "${action.name}"`,
      ];
    case 'keep':
      return [`  # ${action.name} (VMID ${action.vmid} on ${action.node}) is kept: ${action.reason}`];
    case 'unchanged':
      return [];
  }
}

/** The plan as data for `--output json`: stable keys, no functions, no secrets. */
export function planToJson(plan: VmPlan): string {
  return JSON.stringify(plan, null, 2);
}
