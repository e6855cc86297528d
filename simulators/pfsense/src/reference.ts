import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * The pfSense REST API v2 reference (`reference/pfsense-api-v2.json`, copied from the project's
 * shared reference): endpoints and model fields as the package declares them. The simulator
 * validates bodies against it and the client's tests check every request they build against it.
 */

// Some fields name a PHP callable instead of listing choices or bounds: those stay strings.
const choicesSchema = z.union([z.array(z.unknown()), z.record(z.string(), z.string()), z.string()]);
const bound = z.union([z.number(), z.string()]);

export const referenceFieldSchema = z.object({
  name: z.string(),
  type: z.string(),
  required: z.boolean().optional(),
  default: z.unknown().optional(),
  choices: choicesSchema.optional(),
  allow_empty: z.boolean().optional(),
  allow_null: z.boolean().optional(),
  read_only: z.boolean().optional(),
  write_only: z.boolean().optional(),
  representation_only: z.boolean().optional(),
  editable: z.boolean().optional(),
  many: z.boolean().optional(),
  many_minimum: z.number().optional(),
  many_maximum: z.number().optional(),
  unique: z.boolean().optional(),
  minimum: bound.optional(),
  maximum: bound.optional(),
  minimum_length: bound.optional(),
  maximum_length: bound.optional(),
  conditions: z.record(z.string(), z.unknown()).optional(),
  model_name: z.union([z.string(), z.array(z.string())]).optional(),
  allow_alias: z.boolean().optional(),
  allow_subnet: z.boolean().optional(),
  allow_interface: z.boolean().optional(),
});

export const referenceModelSchema = z.object({
  fields: z.array(referenceFieldSchema),
  many: z.boolean().optional(),
  parent: z.string().optional(),
  config_path: z.string().optional(),
});

export const referenceEndpointSchema = z.object({
  path: z.string(),
  model: z.string(),
  many: z.boolean(),
  methods: z.array(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE'])),
});

export const referenceSchema = z.object({
  source: z.string(),
  notes: z.array(z.string()),
  endpoints: z.array(referenceEndpointSchema),
  models: z.record(z.string(), referenceModelSchema),
});

export type ReferenceField = z.output<typeof referenceFieldSchema>;
export type ReferenceModel = z.output<typeof referenceModelSchema>;
export type ReferenceEndpoint = z.output<typeof referenceEndpointSchema>;
export type HttpMethod = ReferenceEndpoint['methods'][number];

export interface PfSenseReference {
  source: string;
  endpoints: ReadonlyMap<string, ReferenceEndpoint>;
  models: ReadonlyMap<string, ReferenceModel>;
  model(name: string): ReferenceModel;
}

export const referencePath = new URL('../reference/pfsense-api-v2.json', import.meta.url);

let cached: PfSenseReference | undefined;

/** The parsed reference, read once per process. */
export function loadReference(): PfSenseReference {
  if (cached) return cached;
  const raw = referenceSchema.parse(JSON.parse(readFileSync(referencePath, 'utf8')));
  const endpoints = new Map(raw.endpoints.map((endpoint) => [endpoint.path, endpoint]));
  const models = new Map(Object.entries(raw.models));
  cached = {
    source: raw.source,
    endpoints,
    models,
    model(name) {
      const model = models.get(name);
      if (!model) throw new Error(`model ${name} is not in the pfSense reference`);
      return model;
    },
  };
  return cached;
}

/** A numeric bound, or undefined when the reference names a callable instead. */
export function boundOf(value: number | string | undefined): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** Choice values of a field, whether the reference lists them or maps them to labels. */
export function choicesOf(field: ReferenceField): unknown[] | undefined {
  if (!field.choices || typeof field.choices === 'string') return undefined;
  return Array.isArray(field.choices) ? field.choices : Object.keys(field.choices);
}
