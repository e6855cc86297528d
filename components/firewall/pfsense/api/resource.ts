import * as z from 'zod';
import type { HttpMethod, PfSenseClient, QueryValue } from './client.ts';

/**
 * CRUD over one pfSense "many" model: the plural endpoint lists, the singular one reads, creates,
 * updates and deletes by `id` (an array position: it shifts after a delete, so callers find the
 * object by its stable key right before writing). Child models also take the parent's id.
 */

export interface WriteOptions {
  /** Validate on the firewall without writing (REST API v2.8.0+; check `supportsDryRun` first). */
  dryRun?: boolean;
}

export interface EndpointUse {
  method: HttpMethod;
  path: string;
  model: string;
}

/** Every request this client can build, for the test that checks them against the reference. */
export const clientEndpoints: EndpointUse[] = [];

export function registerEndpoint(use: EndpointUse): void {
  if (!clientEndpoints.some((e) => e.method === use.method && e.path === use.path)) clientEndpoints.push(use);
}

export interface ResourceDefinition<S extends z.ZodType> {
  model: string;
  singular: string;
  plural: string;
  schema: S;
}

export interface Resource<S extends z.ZodType, Input extends object> extends ResourceDefinition<S> {
  list(client: PfSenseClient, query?: Record<string, QueryValue>): Promise<z.output<S>[]>;
  get(client: PfSenseClient, id: number): Promise<z.output<S>>;
  create(client: PfSenseClient, fields: Input, options?: WriteOptions): Promise<z.output<S>>;
  update(
    client: PfSenseClient,
    id: number,
    fields: Partial<Input>,
    options?: WriteOptions,
  ): Promise<z.output<S>>;
  remove(client: PfSenseClient, id: number, options?: WriteOptions): Promise<z.output<S>>;
}

export function defineResource<Input extends object, S extends z.ZodType = z.ZodType>(
  definition: ResourceDefinition<S>,
): Resource<S, Input> {
  const { model, singular, plural, schema } = definition;
  for (const [method, path] of [
    ['GET', plural],
    ['GET', singular],
    ['POST', singular],
    ['PATCH', singular],
    ['DELETE', singular],
  ] as const) {
    registerEndpoint({ method, path, model });
  }
  const dryRun = (options?: WriteOptions) => (options?.dryRun ? { dry_run: true } : {});
  return {
    ...definition,
    list: (client, query) => client.get(plural, { query, schema: z.array(schema) }),
    get: (client, id) => client.get(singular, { query: { id }, schema }),
    create: (client, fields, options) =>
      client.write('POST', singular, { body: { ...fields, ...dryRun(options) }, schema }),
    update: (client, id, fields, options) =>
      client.write('PATCH', singular, { body: { id, ...fields, ...dryRun(options) }, schema }),
    remove: (client, id, options) =>
      client.write('DELETE', singular, { query: { id, ...dryRun(options) }, schema }),
  };
}

export interface ChildResource<S extends z.ZodType, Input extends object> extends ResourceDefinition<S> {
  list(client: PfSenseClient, query?: Record<string, QueryValue>): Promise<z.output<S>[]>;
  get(client: PfSenseClient, parentId: string, id: number): Promise<z.output<S>>;
  create(
    client: PfSenseClient,
    parentId: string,
    fields: Input,
    options?: WriteOptions,
  ): Promise<z.output<S>>;
  update(
    client: PfSenseClient,
    parentId: string,
    id: number,
    fields: Partial<Input>,
    options?: WriteOptions,
  ): Promise<z.output<S>>;
  remove(client: PfSenseClient, parentId: string, id: number, options?: WriteOptions): Promise<z.output<S>>;
}

export function defineChildResource<Input extends object, S extends z.ZodType = z.ZodType>(
  definition: ResourceDefinition<S>,
): ChildResource<S, Input> {
  const { model, singular, plural, schema } = definition;
  for (const [method, path] of [
    ['GET', plural],
    ['GET', singular],
    ['POST', singular],
    ['PATCH', singular],
    ['DELETE', singular],
  ] as const) {
    registerEndpoint({ method, path, model });
  }
  const dryRun = (options?: WriteOptions) => (options?.dryRun ? { dry_run: true } : {});
  return {
    ...definition,
    list: (client, query) => client.get(plural, { query, schema: z.array(schema) }),
    get: (client, parentId, id) => client.get(singular, { query: { parent_id: parentId, id }, schema }),
    create: (client, parentId, fields, options) =>
      client.write('POST', singular, {
        body: { parent_id: parentId, ...fields, ...dryRun(options) },
        schema,
      }),
    update: (client, parentId, id, fields, options) =>
      client.write('PATCH', singular, {
        body: { parent_id: parentId, id, ...fields, ...dryRun(options) },
        schema,
      }),
    remove: (client, parentId, id, options) =>
      client.write('DELETE', singular, { query: { parent_id: parentId, id, ...dryRun(options) }, schema }),
  };
}
