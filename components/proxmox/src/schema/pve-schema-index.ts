import { readFileSync } from 'node:fs';
import type { PveEndpointSpec, PveParamSpec, PveSchemaExtract } from './extract.ts';
import { checkNamedFormat } from './named-formats.ts';
import { splitPropertyString } from './property-string.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A request path resolved to its schema endpoint. */
export interface PveRoute {
  method: HttpMethod;
  /** `/nodes/{node}/qemu/{vmid}/config` */
  template: string;
  /** `{ node: 'pve1', vmid: '100' }` */
  pathParams: Record<string, string>;
  endpoint: PveEndpointSpec;
}

export type PveRouteResult = { ok: true; route: PveRoute } | { ok: false; status: 501; message: string };

/** Values as they arrive on the wire: form/query strings, repeated keys for arrays. */
export type PveWireParams = Record<string, string | string[]>;

/**
 * Highest index PVE accepts for numbered keys (`net[n]` → net0…net31); the api-viewer data
 * does not carry these, they come from qemu-server's constants.
 */
const MAX_INDEX: Record<string, number> = {
  net: 31,
  ipconfig: 31,
  hostpci: 15,
  scsi: 30,
  virtio: 15,
  sata: 5,
  ide: 3,
  usb: 13,
  serial: 3,
  parallel: 2,
  numa: 7,
  unused: 255,
  virtiofs: 9,
  mp: 255,
};

const NOT_DEFINED = 'property is not defined in schema and the schema does not allow additional properties';

interface TrieNode {
  literal: Map<string, TrieNode>;
  variable?: { name: string; node: TrieNode };
  template?: string;
}

/**
 * An index over the PVE API schema: resolves concrete paths to templates and validates
 * parameters the way PVE's JSONSchema code does, with PVE's messages.
 */
export class PveSchemaIndex {
  private readonly root: TrieNode = { literal: new Map() };
  private readonly endpointsByKey: Record<string, PveEndpointSpec>;

  constructor(extract: PveSchemaExtract) {
    this.endpointsByKey = extract.endpoints;
    for (const key of Object.keys(extract.endpoints)) {
      const template = key.slice(key.indexOf(' ') + 1);
      let node = this.root;
      for (const segment of template.split('/').filter(Boolean)) {
        const variable = /^\{(.+)\}$/.exec(segment)?.[1];
        if (variable) {
          node.variable ??= { name: variable, node: { literal: new Map() } };
          node = node.variable.node;
        } else {
          let next = node.literal.get(segment);
          if (!next) node.literal.set(segment, (next = { literal: new Map() }));
          node = next;
        }
      }
      node.template = template;
    }
  }

  private static bundled: PveSchemaIndex | undefined;

  /** The index over the extract that ships with this package. */
  static bundledIndex(): PveSchemaIndex {
    if (!PveSchemaIndex.bundled) {
      const text = readFileSync(new URL('./pve-api-schema.extract.json', import.meta.url), 'utf8');
      PveSchemaIndex.bundled = new PveSchemaIndex(JSON.parse(text) as PveSchemaExtract);
    }
    return PveSchemaIndex.bundled;
  }

  /** Every `METHOD /template` key. */
  keys(): string[] {
    return Object.keys(this.endpointsByKey);
  }

  endpoint(method: HttpMethod, template: string): PveEndpointSpec | undefined {
    return this.endpointsByKey[`${method} ${template}`];
  }

  /** `GET /nodes/pve1/qemu/100/config` → its template; a path or method not in the schema is a 501, as in PVE. */
  resolve(method: string, path: string): PveRouteResult {
    const pathParams: Record<string, string> = {};
    let node: TrieNode | undefined = this.root;
    for (const raw of path.split('/').filter(Boolean)) {
      const segment = decodeURIComponent(raw);
      const literal: TrieNode | undefined = node.literal.get(segment);
      if (literal) node = literal;
      else if (node.variable) {
        pathParams[node.variable.name] = segment;
        node = node.variable.node;
      } else {
        node = undefined;
        break;
      }
    }
    const template = node?.template;
    const endpoint = template ? this.endpointsByKey[`${method} ${template}`] : undefined;
    if (!template || !endpoint) {
      return { ok: false, status: 501, message: `Method '${method} ${path}' not implemented` };
    }
    return { ok: true, route: { method: method as HttpMethod, template, pathParams, endpoint } };
  }

  /** The spec of a parameter, resolving numbered names (`net0` → `net[n]`). */
  paramSpec(endpoint: PveEndpointSpec, name: string): PveParamSpec | undefined {
    const direct = endpoint.parameters[name];
    if (direct) return direct;
    const numbered = /^([a-z]+)(\d+)$/.exec(name);
    if (!numbered) return undefined;
    const [, base, index] = numbered as unknown as [string, string, string];
    const spec = endpoint.parameters[`${base}[n]`];
    if (!spec) return undefined;
    const max = MAX_INDEX[base];
    if (max !== undefined && Number(index) > max) return undefined;
    if (index.length > 1 && index.startsWith('0')) return undefined;
    return spec;
  }

  /**
   * Validates path, query and body parameters together (PVE merges them) and returns
   * PVE's per-parameter messages; empty when the request is acceptable.
   */
  validate(route: PveRoute, params: PveWireParams): Record<string, string> {
    const errors: Record<string, string> = {};
    const all: PveWireParams = { ...params, ...route.pathParams };
    for (const [name, value] of Object.entries(all)) {
      const spec = this.paramSpec(route.endpoint, name);
      if (!spec) {
        if (!route.endpoint.additionalProperties) errors[name] = NOT_DEFINED;
        continue;
      }
      const message = checkValue(name, spec, value);
      if (message) errors[name] = message;
    }
    for (const [name, spec] of Object.entries(route.endpoint.parameters)) {
      if (!spec.optional && !name.endsWith('[n]') && !(name in all)) {
        errors[name] = 'property is missing and it is not optional';
      }
    }
    return errors;
  }
}

function checkValue(name: string, spec: PveParamSpec, value: string | string[]): string | undefined {
  if (spec.type === 'array') {
    const items = Array.isArray(value) ? value : [value];
    for (const item of items) {
      const message = spec.items ? checkScalar(name, spec.items, item) : undefined;
      if (message) return message;
    }
    return undefined;
  }
  if (Array.isArray(value)) return `type check ('${spec.type ?? 'string'}') failed - got ARRAY`;
  return checkScalar(name, spec, value);
}

const BOOLEAN = /^(1|true|yes|on|0|false|no|off)$/i;
const INTEGER = /^-?\d+$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function checkScalar(name: string, spec: PveParamSpec, value: string): string | undefined {
  switch (spec.type) {
    case 'boolean':
      if (!BOOLEAN.test(value)) return `type check ('boolean') failed - got '${value}'`;
      return undefined;
    case 'integer':
    case 'number': {
      if (!(spec.type === 'integer' ? INTEGER : NUMBER).test(value)) {
        return `type check ('${spec.type}') failed - got '${value}'`;
      }
      const n = Number(value);
      if (spec.minimum !== undefined && n < spec.minimum)
        return `value must have a minimum value of ${spec.minimum}`;
      if (spec.maximum !== undefined && n > spec.maximum)
        return `value must have a maximum value of ${spec.maximum}`;
      return undefined;
    }
    default:
      break;
  }
  if (spec.maxLength !== undefined && value.length > spec.maxLength) {
    return `value may only be ${spec.maxLength} characters long`;
  }
  if (spec.minLength !== undefined && value.length < spec.minLength) {
    return `value must be at least ${spec.minLength} characters long`;
  }
  if (spec.enum && !spec.enum.includes(value)) {
    return `value '${value}' does not have a value in the enumeration '${spec.enum.join(', ')}'`;
  }
  if (spec.pattern && !perlPattern(spec.pattern).test(value)) return 'value does not match the regex pattern';
  if (typeof spec.format === 'object') return checkPropertyString(name, spec.format, value);
  if (spec.typetext) {
    const message = checkTypetextPropertyString(name, spec.typetext, value);
    if (message) return message;
  }
  if (typeof spec.format === 'string') return checkNamedFormat(spec.format, value);
  return undefined;
}

/** `(?^:\d+)` and `(?^i:…)` are Perl's stringified regexes; PVE anchors every pattern. */
function perlPattern(pattern: string): RegExp {
  const perl = /^\(\?\^([a-z]*):([\s\S]*)\)$/.exec(pattern);
  const flags = perl?.[1]?.includes('i') ? 'i' : '';
  const body = perl ? perl[2] : pattern;
  return new RegExp(`^(?:${body})$`, flags);
}

function formatError(name: string, key: string, message: string): string {
  return `invalid format - format error\n${name}.${key}: ${message}`;
}

function checkPropertyString(
  name: string,
  keys: Record<string, PveParamSpec>,
  value: string,
): string | undefined {
  const defaultKey = Object.entries(keys).find(([, spec]) => spec.default_key)?.[0];
  const seen = new Set<string>();
  for (const part of splitPropertyString(value)) {
    let key = part.key;
    if (key === undefined) {
      if (!defaultKey)
        return formatError(name, part.value, `value without key, but schema does not define a default key`);
      key = defaultKey;
    }
    const spec = keys[key];
    if (!spec) return formatError(name, key, NOT_DEFINED);
    // `virtio=MAC` stands for model=virtio plus macaddr=MAC.
    if (spec.keyAlias && spec.alias) {
      const target = keys[spec.alias];
      const message = target ? checkScalar(`${name}.${spec.alias}`, target, part.value) : undefined;
      if (message) return formatError(name, spec.alias, message);
      seen.add(spec.keyAlias).add(spec.alias);
      continue;
    }
    const resolved = spec.alias ? keys[spec.alias] : spec;
    const resolvedKey = spec.alias ?? key;
    if (!resolved) return formatError(name, key, NOT_DEFINED);
    if (seen.has(resolvedKey))
      return formatError(name, resolvedKey, 'duplicate key in comma-separated list property');
    seen.add(resolvedKey);
    const message = checkScalar(`${name}.${resolvedKey}`, resolved, part.value);
    if (message) return formatError(name, resolvedKey, message);
  }
  for (const [key, spec] of Object.entries(keys)) {
    if (!spec.optional && !spec.alias && !seen.has(key)) {
      return formatError(name, key, 'property is missing and it is not optional');
    }
  }
  return undefined;
}

/**
 * Named property-string formats (`pve-qm-hostpci`, `pve-qm-ipconfig`) come without their keys in
 * the api-viewer data; the keys are read from the `typetext`, e.g. `[[host=]<ID>] [,pcie=<1|0>]`.
 */
function checkTypetextPropertyString(name: string, typetext: string, value: string): string | undefined {
  const allowed = new Map<string, string>();
  for (const match of typetext.matchAll(/([a-z][a-z0-9_-]*)=\]?\s*<([^>]*)>/gi)) {
    allowed.set(match[1] as string, match[2] as string);
  }
  const defaultKey = /\[\[?([a-z][a-z0-9_-]*)=\]/i.exec(typetext)?.[1];
  for (const part of splitPropertyString(value)) {
    const key = part.key ?? defaultKey;
    if (key === undefined)
      return formatError(name, part.value, 'value without key, but schema does not define a default key');
    const placeholder = allowed.get(key);
    if (placeholder === undefined) return formatError(name, key, NOT_DEFINED);
    if (placeholder === '1|0' && !BOOLEAN.test(part.value)) {
      return formatError(name, key, `type check ('boolean') failed - got '${part.value}'`);
    }
  }
  return undefined;
}
