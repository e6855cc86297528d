import { isManagedDescription } from '../lib/descriptions.ts';
import type { FirewallState } from '../ops/firewall-state.ts';
import type { DesiredState, ObjectKind } from '../ops/generate-config.ts';
import { planFirewall } from '../ops/plan.ts';
import { normalizeMac } from '../utils/net-utils.ts';

/**
 * The console's firewall tables: for each kind, every object desired or present, side by side,
 * with its status. (The seed's `monitor/fetch_rules`, for all four kinds.)
 */

export type RowStatus = 'in-sync' | 'drifted' | 'missing' | 'unexpected' | 'unmanaged' | 'conflict';

export interface ObjectRow {
  kind: ObjectKind;
  key: string;
  status: RowStatus;
  managed: boolean;
  /** The fields Skyy Command wants, when an entry asks for this object. */
  desired?: Record<string, unknown>;
  /** The object on the firewall, when there is one. */
  actual?: Record<string, unknown>;
  /** networking file position of the entry behind it. */
  source?: { file: string; line: number };
}

export function sideBySide(desired: DesiredState, actual: FirewallState): Record<ObjectKind, ObjectRow[]> {
  const plan = planFirewall(desired, actual);
  const statusOf = new Map<string, RowStatus>();
  for (const change of plan.changes) {
    const status: RowStatus =
      change.action === 'create' ? 'missing' : change.action === 'update' ? 'drifted' : 'unexpected';
    statusOf.set(`${change.kind} ${change.key} ${change.action === 'create' ? '' : change.id}`, status);
  }
  for (const conflict of plan.conflicts) statusOf.set(`${conflict.kind} ${conflict.key} `, 'conflict');

  const rows: Record<ObjectKind, ObjectRow[]> = { vip: [], nat: [], rule: [], dhcp: [] };
  const present: Record<
    ObjectKind,
    { key: string; object: Record<string, unknown> & { id: number; descr?: string | null } }[]
  > = {
    vip: actual.vips.map((o) => ({ key: o.subnet, object: o })),
    nat: actual.nats.map((o) => ({ key: o.external, object: o })),
    rule: actual.rules.map((o) => ({ key: o.destination, object: o })),
    dhcp: actual.dhcp.map((o) => ({ key: normalizeMac(o.mac) ?? o.mac, object: o })),
  };
  const wanted = { vip: desired.vips, nat: desired.nats, rule: desired.rules, dhcp: desired.dhcp };

  for (const kind of ['vip', 'nat', 'rule', 'dhcp'] as const) {
    const matched = new Set<number>();
    for (const object of wanted[kind]) {
      const found = present[kind].find(
        (p) => p.key === object.key && isManagedDescription(desired.site, p.object.descr),
      );
      if (found) matched.add(found.object.id);
      const status =
        statusOf.get(`${kind} ${object.key} ${found?.object.id ?? ''}`) ??
        statusOf.get(`${kind} ${object.key} `) ??
        (found ? 'in-sync' : 'missing');
      rows[kind].push({
        kind,
        key: object.key,
        status,
        managed: true,
        desired: object.fields as unknown as Record<string, unknown>,
        ...(found ? { actual: found.object } : {}),
        source: object.entry.source,
      });
    }
    for (const { key, object } of present[kind]) {
      if (matched.has(object.id)) continue;
      const managed = isManagedDescription(desired.site, object.descr);
      rows[kind].push({ kind, key, status: managed ? 'unexpected' : 'unmanaged', managed, actual: object });
    }
  }
  return rows;
}
