import { firewallPlanSchema, type FirewallFinding, type FirewallPlan } from '@skyy/contracts';
import { connect } from '../../connect.ts';
import { printJson, println, type CliIo } from '../../io.ts';
import { renderTable } from '../../table.ts';
import { findFirewall } from './find-firewall.ts';

export interface FirewallPlanOptions {
  io: CliIo;
  firewall: string;
  /** Changes listed one per line; the rest are counted. */
  show?: number;
  output: 'text' | 'json';
}

/** `skyy firewall plan`: validation against the firewall and what apply would change. Exit 1 when errors block. */
export async function firewallPlan(options: FirewallPlanOptions): Promise<number> {
  const { io } = options;
  const client = connect(io);
  const firewall = await findFirewall(client, options.firewall);
  const plan = await client.get(`/api/v1/firewalls/${firewall.id}/plan`, { schema: firewallPlanSchema });
  if (options.output === 'json') printJson(io, plan);
  else printPlan(io, firewall.name, plan, options.show ?? 20);
  return plan.blocked ? 1 : 0;
}

const SIGNS = { create: '+', update: '~', delete: '-' } as const;

export function formatFindingLine(finding: FirewallFinding): string {
  const where = finding.file
    ? `${finding.file}:${finding.line ?? 1}`
    : finding.object
      ? `firewall ${finding.object.kind} #${finding.object.id} "${finding.object.descr}"`
      : 'firewall';
  return `${where}: ${finding.severity} [${finding.code}] ${finding.message} Fix: ${finding.fix}`;
}

export function printPlan(io: CliIo, name: string, plan: FirewallPlan, show: number): void {
  for (const finding of plan.findings) println(io.stdout, formatFindingLine(finding));
  const kinds = ['vip', 'nat', 'rule', 'dhcp'] as const;
  io.stdout.write(
    renderTable(
      ['kind', 'create', 'update', 'delete', 'unchanged', 'unmanaged', 'conflicts'],
      kinds.map((kind) => {
        const c = plan.plan.counts[kind];
        return [kind, c.create, c.update, c.delete, c.unchanged, c.unmanaged, c.conflicts].map(String);
      }),
    ),
  );
  const { changes } = plan.plan;
  for (const change of changes.slice(0, show)) {
    const where = change.file ? `  (${change.file}:${change.line ?? 1})` : '';
    const detail =
      change.action === 'update' && change.diff ? `: ${change.diff.map((d) => d.field).join(', ')}` : '';
    println(io.stdout, `${SIGNS[change.action]} ${change.kind} ${change.key}${detail}${where}`);
  }
  if (changes.length > show) println(io.stdout, `… and ${changes.length - show} more`);
  const errors = plan.findings.filter((f) => f.severity === 'error').length;
  if (errors)
    println(io.stdout, `${name}: ${errors} validation error(s) block apply; fix the networking file`);
  else if (changes.length === 0)
    println(io.stdout, `${name}: no changes, the firewall matches its networking file`);
  else println(io.stdout, `${name}: ${changes.length} change(s); run \`skyy firewall apply ${name}\``);
}
