import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The official schema as shipped beside the repository (`../shared/reference/` from the repo root). */
export const referenceSchemaPath =
  process.env.PVE_API_SCHEMA ??
  path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '../../../../../shared/reference/pve-api-schema.json',
  );

/** One parameter (or one key of a property string such as `net0: virtio,bridge=vmbr0`). */
export interface PveParamSpec {
  type?: 'string' | 'integer' | 'number' | 'boolean' | 'array' | 'object' | 'null';
  optional?: boolean;
  enum?: string[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  /** A named format (`pve-node`) or, for property strings, the keys they accept. */
  format?: string | Record<string, PveParamSpec>;
  /** The key a bare value belongs to: `model` in `virtio,bridge=vmbr0`. */
  default_key?: boolean;
  /** `volume` is an alias of `file`. */
  alias?: string;
  /** `virtio=MAC` sets `model=virtio` and `macaddr=MAC`. */
  keyAlias?: string;
  /** Kept only for named property-string formats whose keys the schema does not list (`hostpci[n]`). */
  typetext?: string;
  items?: PveParamSpec;
}

export interface PveEndpointSpec {
  parameters: Record<string, PveParamSpec>;
  /** False for nearly all endpoints: unknown parameters are refused. */
  additionalProperties: boolean;
}

export interface PveSchemaExtract {
  source: { file: string; sha256: string };
  /** `GET /nodes/{node}/qemu/{vmid}/config` → endpoint. */
  endpoints: Record<string, PveEndpointSpec>;
}

interface RawNode {
  path: string;
  info?: Record<
    string,
    { parameters?: { properties?: Record<string, RawParam>; additionalProperties?: number } }
  >;
  children?: RawNode[];
}

type RawParam = Record<string, unknown>;

export function extractPveSchema(text: string): PveSchemaExtract {
  const tree = JSON.parse(text) as RawNode[];
  const endpoints: Record<string, PveEndpointSpec> = {};
  const walk = (node: RawNode): void => {
    for (const [method, info] of Object.entries(node.info ?? {})) {
      const parameters: Record<string, PveParamSpec> = {};
      for (const [name, raw] of Object.entries(info.parameters?.properties ?? {}))
        parameters[name] = toSpec(raw);
      endpoints[`${method} ${node.path}`] = {
        parameters,
        additionalProperties: info.parameters?.additionalProperties === 1,
      };
    }
    for (const child of node.children ?? []) walk(child);
  };
  for (const root of tree) walk(root);
  return {
    source: { file: 'pve-api-schema.json', sha256: createHash('sha256').update(text).digest('hex') },
    endpoints,
  };
}

function toSpec(raw: RawParam): PveParamSpec {
  const spec: PveParamSpec = {};
  if (typeof raw.type === 'string') spec.type = raw.type as PveParamSpec['type'];
  if (raw.optional === 1) spec.optional = true;
  if (Array.isArray(raw.enum)) spec.enum = raw.enum.map(String);
  if (typeof raw.pattern === 'string') spec.pattern = raw.pattern;
  for (const key of ['minimum', 'maximum', 'minLength', 'maxLength'] as const) {
    if (typeof raw[key] === 'number') spec[key] = raw[key];
  }
  if (raw.default_key === 1) spec.default_key = true;
  if (typeof raw.alias === 'string') spec.alias = raw.alias;
  if (typeof raw.keyAlias === 'string') spec.keyAlias = raw.keyAlias;
  const format = normalizeFormat(raw.format);
  if (format !== undefined) spec.format = format;
  if (typeof format === 'string' && typeof raw.typetext === 'string' && raw.typetext.includes('=')) {
    spec.typetext = raw.typetext;
  }
  if (raw.items && typeof raw.items === 'object') spec.items = toSpec(raw.items as RawParam);
  return spec;
}

/**
 * The api-viewer data spreads some named formats into objects of characters
 * (`{"0":{"0":"p"},"1":{"0":"v"},…}` for `pve-qm-hostpci`); those are turned back into the name.
 */
function normalizeFormat(format: unknown): PveParamSpec['format'] | undefined {
  if (typeof format === 'string') return format;
  if (!format || typeof format !== 'object') return undefined;
  const entries = Object.entries(format as Record<string, unknown>);
  const spread = entries.length > 0 && entries.every(([key], i) => key === String(i));
  if (spread) {
    return entries.map(([, value]) => (value as Record<string, string>)['0'] ?? '').join('');
  }
  const keys: Record<string, PveParamSpec> = {};
  for (const [key, value] of entries) keys[key] = toSpec(value as RawParam);
  return keys;
}
