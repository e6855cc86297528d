import type { PfSenseClient } from '../api/client.ts';
import { listStaticMappings, staticMappings, type StaticMappingFields } from '../api/dhcp.ts';
import { oneToOneNats, type OneToOneNatFields } from '../api/nats.ts';
import { firewallRules, type FirewallRuleFields } from '../api/rules.ts';
import type { WriteOptions } from '../api/resource.ts';
import { virtualIps, type VirtualIpFields } from '../api/vips.ts';
import type { ApplySubsystem } from '../api/apply.ts';
import type { Site } from '../lib/site.ts';
import { normalizeMac } from '../utils/net-utils.ts';
import type { ObjectKind } from './generate-config.ts';
import type { Locator } from './plan.ts';

/**
 * The four object kinds behind one interface, so that apply can treat them alike: write by id,
 * and find again by stable key with one filtered read (the id may have shifted since the plan).
 */

export interface FoundObject {
  id: number;
  descr?: string | null;
  [field: string]: unknown;
}

export interface ObjectOps {
  subsystem: ApplySubsystem;
  /** The field a desired object's key lives in (for finding a create that may have happened). */
  keyField: Locator['field'];
  keyOf(object: FoundObject): string;
  find(field: Locator['field'], value: string): Promise<FoundObject[]>;
  create(fields: Record<string, unknown>, options?: WriteOptions): Promise<FoundObject>;
  update(id: number, fields: Record<string, unknown>, options?: WriteOptions): Promise<FoundObject>;
  remove(id: number, options?: WriteOptions): Promise<FoundObject>;
}

export function objectOps(
  client: PfSenseClient,
  site: Site,
  toInterfaceId: (name: string) => string,
): Record<ObjectKind, ObjectOps> {
  const lan = site.settings.lan_interface;
  const withInterface = (object: FoundObject): FoundObject => {
    const value = object.interface;
    if (typeof value === 'string') return { ...object, interface: toInterfaceId(value) };
    if (Array.isArray(value)) return { ...object, interface: value.map((v) => toInterfaceId(String(v))) };
    return object;
  };
  return {
    vip: {
      subsystem: 'virtual_ip',
      keyField: 'subnet',
      keyOf: (o) => String(o.subnet),
      find: async (field, value) => (await virtualIps.list(client, { [field]: value })).map(withInterface),
      create: (fields, options) => virtualIps.create(client, fields as unknown as VirtualIpFields, options),
      update: (id, fields, options) => virtualIps.update(client, id, fields, options),
      remove: (id, options) => virtualIps.remove(client, id, options),
    },
    nat: {
      subsystem: 'firewall',
      keyField: 'external',
      keyOf: (o) => String(o.external),
      find: async (field, value) => (await oneToOneNats.list(client, { [field]: value })).map(withInterface),
      create: (fields, options) =>
        oneToOneNats.create(client, fields as unknown as OneToOneNatFields, options),
      update: (id, fields, options) => oneToOneNats.update(client, id, fields, options),
      remove: (id, options) => oneToOneNats.remove(client, id, options),
    },
    rule: {
      subsystem: 'firewall',
      keyField: 'destination',
      keyOf: (o) => String(o.destination),
      find: async (field, value) => (await firewallRules.list(client, { [field]: value })).map(withInterface),
      create: (fields, options) =>
        firewallRules.create(client, fields as unknown as FirewallRuleFields, options),
      update: (id, fields, options) => firewallRules.update(client, id, fields, options),
      remove: (id, options) => firewallRules.remove(client, id, options),
    },
    dhcp: {
      subsystem: 'dhcp',
      keyField: 'mac',
      keyOf: (o) => normalizeMac(String(o.mac)) ?? String(o.mac),
      find: (field, value) => listStaticMappings(client, lan, { [field]: value }),
      create: (fields, options) =>
        staticMappings.create(client, lan, fields as unknown as StaticMappingFields, options),
      update: (id, fields, options) => staticMappings.update(client, lan, id, fields, options),
      remove: (id, options) => staticMappings.remove(client, lan, id, options),
    },
  };
}

/** The value a found object has in a locator's field, as text. */
export function locatorValueOf(object: FoundObject, field: Locator['field']): string {
  const value = object[field];
  return value === null || value === undefined ? '' : String(value);
}
