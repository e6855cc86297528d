import { choicesOf, loadReference, type ReferenceField } from '@skyy/sim-pfsense';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildOneToOneNat,
  buildPassRule,
  buildStaticMapping,
  buildVirtualIp,
  resolveSite,
  type DesiredEntry,
} from '../lib/index.ts';
import { startSimulatedFirewall, type SimulatedFirewall } from '../utils/testing.ts';
import { applyChanges, getApplyStatus, type ApplySubsystem } from './apply.ts';
import type { RequestEvent } from './client.ts';
import { listStaticMappings, staticMappings } from './dhcp.ts';
import { oneToOneNats } from './nats.ts';
import { clientEndpoints } from './resource.ts';
import { firewallRules } from './rules.ts';
import {
  getRestApiVersion,
  getSystemStatus,
  getSystemVersion,
  listInterfaces,
  listInterfaceStats,
} from './status.ts';
import { virtualIps } from './vips.ts';

/**
 * Walks every request the client can build — with the bodies the payload builders make — and
 * checks each against the pfSense reference: the path exists, the method is allowed, every body
 * field is a writable field of the model with a valid type and choice, every query key is known.
 */

const reference = loadReference();
const CONTROL = new Set(['id', 'parent_id', 'dry_run', 'apply', 'async', 'placement', 'append', 'remove']);
const PAGING = new Set(['limit', 'offset', 'sort_by', 'sort_order']);
const PHP_TYPE: Record<string, string> = {
  IntegerField: 'number',
  FloatField: 'number',
  BooleanField: 'boolean',
};

function valueProblem(field: ReferenceField, value: unknown): string | undefined {
  if (field.read_only) return 'is read-only';
  const values = field.many ? value : [value];
  if (!Array.isArray(values)) return 'must be an array';
  for (const item of values) {
    if (item === null) {
      if (!field.allow_null && !field.required) continue; // null means "use the default"
      if (!field.allow_null) return 'must not be null';
      continue;
    }
    const expected = PHP_TYPE[field.type] ?? 'string';
    if (typeof item !== expected) return `must be a ${expected}, got ${typeof item}`;
    if (field.type === 'IntegerField' && !Number.isInteger(item)) return 'must be an integer';
    const choices = choicesOf(field);
    if (choices && !choices.includes(item)) return `must be one of ${choices.join(', ')}`;
  }
  return undefined;
}

function problemsOf(event: RequestEvent): string[] {
  const where = `${event.method} ${event.path}`;
  const endpoint = reference.endpoints.get(event.path);
  if (!endpoint) return [`${where}: path is not in the reference`];
  const problems: string[] = [];
  if (!endpoint.methods.includes(event.method as never)) problems.push(`${where}: method not allowed`);
  const fields = new Map(reference.model(endpoint.model).fields.map((f) => [f.name, f]));
  for (const [key, value] of Object.entries(event.body ?? {})) {
    if (CONTROL.has(key)) continue;
    const field = fields.get(key);
    if (!field) problems.push(`${where}: body field ${key} is not in ${endpoint.model}`);
    else {
      const problem = valueProblem(field, value);
      if (problem) problems.push(`${where}: body field ${key} ${problem}`);
    }
  }
  for (const key of Object.keys(event.query)) {
    if (CONTROL.has(key)) continue;
    if (!endpoint.many) {
      problems.push(`${where}: unexpected query ${key}`);
      continue;
    }
    const name = key.split('__')[0] ?? '';
    if (!PAGING.has(key) && !fields.has(name))
      problems.push(`${where}: query ${key} is not a field of ${endpoint.model}`);
  }
  return problems;
}

describe('every request the client builds exists in the pfSense reference', () => {
  const events: RequestEvent[] = [];
  let current: SimulatedFirewall;
  let legacy: SimulatedFirewall;

  beforeAll(async () => {
    current = await startSimulatedFirewall({}, { onRequest: (e) => events.push(e) });
    legacy = await startSimulatedFirewall(
      { pluralStaticMappings: false },
      { onRequest: (e) => events.push(e) },
    );
  });
  afterAll(async () => {
    await current.close();
    await legacy.close();
  });

  it('declares only endpoints and methods the reference has', () => {
    for (const use of clientEndpoints) {
      const endpoint = reference.endpoints.get(use.path);
      expect(endpoint, use.path).toBeDefined();
      expect(endpoint?.methods, use.path).toContain(use.method);
      expect(endpoint?.model, use.path).toBe(use.model);
    }
  });

  it('builds requests with reference fields only, and the simulator accepts all of them', async () => {
    const { client } = current;
    const site = resolveSite('hargett', {
      public_subnet: '38.247.82.0/23',
      lan_interface: 'opt3',
      lan_subnet: '69.1.0.0/22',
    });
    const entry: DesiredEntry = {
      publicIp: '38.247.82.2',
      internalIp: '69.1.1.2',
      mac: '02:00:2e:8c:5e:78',
      vip: true,
      source: { file: 'networking_hargett.yaml', line: 2 },
    };
    const changed = { ...entry, description: 'gpu-node-1' };

    for (const [resource, build] of [
      [virtualIps, buildVirtualIp],
      [oneToOneNats, buildOneToOneNat],
      [firewallRules, buildPassRule],
    ] as const) {
      const fields = build(entry, site);
      await resource.create(client, fields as never, { dryRun: true });
      const created = await resource.create(client, fields as never);
      await resource.get(client, created.id);
      await resource.list(client, { descr__startswith: site.settings.managed_prefix });
      await resource.update(client, created.id, build(changed, site) as never, { dryRun: true });
      await resource.update(client, created.id, build(changed, site) as never);
      await resource.remove(client, created.id, { dryRun: true });
      await resource.remove(client, created.id);
    }
    const lan = site.settings.lan_interface;
    const mapping = buildStaticMapping(entry, site);
    await staticMappings.create(client, lan, mapping, { dryRun: true });
    const created = await staticMappings.create(client, lan, mapping);
    await staticMappings.get(client, lan, created.id);
    await listStaticMappings(client, lan, { mac: entry.mac });
    await staticMappings.update(client, lan, created.id, buildStaticMapping(changed, site), { dryRun: true });
    await staticMappings.update(client, lan, created.id, buildStaticMapping(changed, site));
    await staticMappings.remove(client, lan, created.id, { dryRun: true });
    await staticMappings.remove(client, lan, created.id);
    await listStaticMappings(legacy.client, lan);

    await getSystemStatus(client);
    await getSystemVersion(client);
    await getRestApiVersion(client);
    await listInterfaces(client);
    await listInterfaceStats(client);
    for (const subsystem of ['firewall', 'virtual_ip', 'dhcp'] as ApplySubsystem[]) {
      await getApplyStatus(client, subsystem);
      await applyChanges(client, subsystem);
    }

    const accepted = events.filter((e) => e.status === 200);
    expect(accepted.flatMap(problemsOf)).toEqual([]);
    // The only refusal is the plural endpoint the legacy package does not have.
    expect(events.filter((e) => e.status !== 200).map((e) => `${e.status} ${e.path}`)).toEqual([
      '404 /api/v2/services/dhcp_server/static_mappings',
    ]);
    const exercised = new Set(accepted.map((e) => `${e.method} ${e.path}`));
    expect(clientEndpoints.map((e) => `${e.method} ${e.path}`).filter((e) => !exercised.has(e))).toEqual([]);
  });
});
