import { createHash } from 'node:crypto';
import type { StaticMapping } from '../api/dhcp.ts';
import type { OneToOneNat } from '../api/nats.ts';
import type { FirewallRule } from '../api/rules.ts';
import type { VirtualIp } from '../api/vips.ts';
import { isManagedDescription } from '../lib/descriptions.ts';
import type { Site } from '../lib/site.ts';
import { normalizeMac } from '../utils/net-utils.ts';
import type { FirewallState } from './firewall-state.ts';
import type { DesiredObject, DesiredState, ObjectKind } from './generate-config.ts';

/**
 * The diff between what a site should have and what its firewall holds, as data: create, update
 * or delete per object, matched by stable key among the objects Skyy Command manages (description
 * starting with the site's prefix). Everything else is listed as unmanaged and never touched; a
 * desired object whose key an unmanaged object already holds is a conflict, not a write.
 * Pure: no I/O, so the same inputs always give the same plan.
 */

export const KIND_ORDER: readonly ObjectKind[] = ['vip', 'nat', 'rule', 'dhcp'];

/** How to find an object again right before writing: ids shift, these do not. */
export interface Locator {
  field: 'subnet' | 'external' | 'tracker' | 'mac' | 'descr' | 'destination';
  value: string;
  /** Content hash, to tell apart duplicates that share the key. */
  fingerprint: string;
}

export interface FieldDiff {
  field: string;
  desired: unknown;
  actual: unknown;
}

export type PlannedChange =
  | {
      action: 'create';
      kind: ObjectKind;
      key: string;
      fields: Record<string, unknown>;
      line: number;
      file: string;
    }
  | {
      action: 'update';
      kind: ObjectKind;
      key: string;
      id: number;
      locator: Locator;
      fields: Record<string, unknown>;
      diff: FieldDiff[];
      line: number;
      file: string;
    }
  | {
      action: 'delete';
      kind: ObjectKind;
      key: string;
      id: number;
      locator: Locator;
      descr: string;
      reason: string;
    };

export interface UnmanagedObject {
  kind: ObjectKind;
  id: number;
  key: string;
  descr: string;
}

export interface PlanConflict {
  kind: ObjectKind;
  key: string;
  file: string;
  line: number;
  unmanaged: UnmanagedObject;
}

export interface KindCounts {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
  unmanaged: number;
  conflicts: number;
}

export interface Plan {
  site: string;
  /** Deletes first (rules, NAT, VIPs, DHCP; highest id first), then creates and updates (VIPs, NAT, rules, DHCP). */
  changes: PlannedChange[];
  unmanaged: UnmanagedObject[];
  conflicts: PlanConflict[];
  counts: Record<ObjectKind, KindCounts>;
}

interface ActualObject {
  id: number;
  descr?: string | null;
}

interface KindSpec<A extends ActualObject> {
  kind: ObjectKind;
  desired: DesiredObject<object>[];
  actual: A[];
  keyOf(actual: A): string;
  locatorField(actual: A): Locator['field'];
  locatorValue(actual: A): string;
  /** Whether an unmanaged object holding the key blocks creating ours. */
  exclusive: boolean;
}

export function planFirewall(desired: DesiredState, actual: FirewallState): Plan {
  const { site } = desired;
  const specs = [
    spec<VirtualIp>(
      'vip',
      desired.vips,
      actual.vips,
      (v) => v.subnet,
      () => 'subnet',
      (v) => v.subnet,
      true,
    ),
    spec<OneToOneNat>(
      'nat',
      desired.nats,
      actual.nats,
      (n) => n.external,
      () => 'external',
      (n) => n.external,
      true,
    ),
    spec<FirewallRule>(
      'rule',
      site.settings.manage_rules ? desired.rules : [],
      site.settings.manage_rules
        ? actual.rules
        : actual.rules.filter((r) => !isManagedDescription(site, r.descr)),
      (r) => r.destination,
      (r) => (r.tracker === null || r.tracker === undefined ? 'descr' : 'tracker'),
      (r) => String(r.tracker ?? r.descr ?? ''),
      false,
    ),
    spec<StaticMapping>(
      'dhcp',
      desired.dhcp,
      actual.dhcp,
      (d) => normalizeMac(d.mac) ?? d.mac,
      () => 'mac',
      (d) => d.mac,
      true,
    ),
  ];

  const deletes: PlannedChange[] = [];
  const writes: PlannedChange[] = [];
  const unmanaged: UnmanagedObject[] = [];
  const conflicts: PlanConflict[] = [];
  const counts = {} as Record<ObjectKind, KindCounts>;

  for (const kindSpec of specs) {
    const result = planKind(site, kindSpec as KindSpec<ActualObject>);
    deletes.push(...result.deletes);
    writes.push(...result.writes);
    unmanaged.push(...result.unmanaged);
    conflicts.push(...result.conflicts);
    counts[kindSpec.kind] = result.counts;
  }

  const deleteOrder: ObjectKind[] = ['rule', 'nat', 'vip', 'dhcp'];
  deletes.sort(
    (a, b) =>
      deleteOrder.indexOf(a.kind) - deleteOrder.indexOf(b.kind) ||
      (b.action === 'delete' ? b.id : 0) - (a.action === 'delete' ? a.id : 0),
  );
  return { site: site.name, changes: [...deletes, ...writes], unmanaged, conflicts, counts };
}

export function isEmptyPlan(plan: Plan): boolean {
  return plan.changes.length === 0;
}

function spec<A extends ActualObject>(
  kind: ObjectKind,
  desired: DesiredObject<object>[],
  actual: A[],
  keyOf: (a: A) => string,
  locatorField: (a: A) => Locator['field'],
  locatorValue: (a: A) => string,
  exclusive: boolean,
): KindSpec<A> {
  return { kind, desired, actual, keyOf, locatorField, locatorValue, exclusive };
}

function planKind(site: Site, spec: KindSpec<ActualObject>) {
  const counts: KindCounts = { create: 0, update: 0, delete: 0, unchanged: 0, unmanaged: 0, conflicts: 0 };
  const deletes: PlannedChange[] = [];
  const writes: PlannedChange[] = [];
  const unmanaged: UnmanagedObject[] = [];
  const conflicts: PlanConflict[] = [];

  const managedByKey = new Map<string, ActualObject[]>();
  const unmanagedByKey = new Map<string, ActualObject>();
  for (const object of spec.actual) {
    const key = spec.keyOf(object);
    if (isManagedDescription(site, object.descr)) {
      managedByKey.set(key, [...(managedByKey.get(key) ?? []), object]);
    } else {
      unmanaged.push({ kind: spec.kind, id: object.id, key, descr: object.descr ?? '' });
      if (!unmanagedByKey.has(key)) unmanagedByKey.set(key, object);
    }
  }
  counts.unmanaged = unmanaged.length;

  const locatorOf = (object: ActualObject): Locator => ({
    field: spec.locatorField(object),
    value: spec.locatorValue(object),
    fingerprint: fingerprintOf(object),
  });
  const remove = (object: ActualObject, reason: string) => {
    counts.delete += 1;
    deletes.push({
      action: 'delete',
      kind: spec.kind,
      key: spec.keyOf(object),
      id: object.id,
      locator: locatorOf(object),
      descr: object.descr ?? '',
      reason,
    });
  };

  const wanted = new Set<string>();
  for (const desired of spec.desired) {
    wanted.add(desired.key);
    const { file, line } = desired.entry.source;
    const fields = desired.fields as Record<string, unknown>;
    const candidates = managedByKey.get(desired.key) ?? [];
    if (candidates.length === 0) {
      const blocker = spec.exclusive ? unmanagedByKey.get(desired.key) : undefined;
      if (blocker) {
        counts.conflicts += 1;
        conflicts.push({
          kind: spec.kind,
          key: desired.key,
          file,
          line,
          unmanaged: { kind: spec.kind, id: blocker.id, key: desired.key, descr: blocker.descr ?? '' },
        });
        continue;
      }
      counts.create += 1;
      writes.push({ action: 'create', kind: spec.kind, key: desired.key, fields, line, file });
      continue;
    }
    // Keep the closest match (first in config order among equals); the rest are duplicates.
    const ranked = candidates
      .map((object) => ({ object, diff: diffFields(fields, object) }))
      .sort((a, b) => a.diff.length - b.diff.length || a.object.id - b.object.id);
    const [keep, ...extra] = ranked;
    for (const duplicate of extra) remove(duplicate.object, `duplicate of #${keep?.object.id ?? '?'}`);
    if (!keep) continue;
    if (keep.diff.length === 0) {
      counts.unchanged += 1;
      continue;
    }
    counts.update += 1;
    const changed = Object.fromEntries(keep.diff.map((d) => [d.field, d.desired]));
    writes.push({
      action: 'update',
      kind: spec.kind,
      key: desired.key,
      id: keep.object.id,
      locator: locatorOf(keep.object),
      fields: changed,
      diff: keep.diff,
      line,
      file,
    });
  }
  for (const [key, objects] of managedByKey) {
    if (wanted.has(key)) continue;
    for (const object of objects) remove(object, 'no entry in the networking file');
  }
  return { counts, deletes, writes, unmanaged, conflicts };
}

/** Field by field, with the equivalences pfSense introduces (null vs "" vs false, MAC case, …). */
export function diffFields(desired: Record<string, unknown>, actual: object): FieldDiff[] {
  const current = actual as Record<string, unknown>;
  const diffs: FieldDiff[] = [];
  for (const [field, value] of Object.entries(desired)) {
    if (canonical(field, value) !== canonical(field, current[field])) {
      diffs.push({ field, desired: value, actual: current[field] ?? null });
    }
  }
  return diffs;
}

function canonical(field: string, value: unknown): string | null {
  if (value === undefined || value === null || value === '' || value === false) return null;
  if (Array.isArray(value)) return value.length === 0 ? null : value.map(String).join(',');
  if (field === 'mac' && typeof value === 'string') return normalizeMac(value) ?? value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** A short hash of an object's content (id excluded), stable across reads. */
export function fingerprintOf(object: object): string {
  const entries = Object.entries(object)
    .filter(([key]) => key !== 'id')
    .sort(([a], [b]) => a.localeCompare(b));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}
