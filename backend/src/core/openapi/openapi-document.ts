import { z } from 'zod';
import { problemSchema } from '@skyy/contracts';
import type { AccessRule } from '../http/roles.ts';
import type { RouteInfo } from './route-table.ts';

type JsonSchema = Record<string, unknown>;

/**
 * OpenAPI 3.1 from the route table: the same zod schemas that validate requests describe them,
 * so the document cannot drift from the code.
 */
export function buildOpenApiDocument(routes: RouteInfo[], version: string): JsonSchema {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const path = route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const pathParams = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      // Ids are UUIDs; other parameters (a host name, a GPU UUID like GPU-…, an invite token) are text.
      schema: m[1] === 'id' || m[1]?.endsWith('Id') ? { type: 'string', format: 'uuid' } : { type: 'string' },
    }));
    const operation: Record<string, unknown> = {
      operationId: `${route.controller.replace(/Controller$/, '')}_${route.handler}`,
      tags: [route.path.split('/')[3] ?? route.path.split('/')[2] ?? 'system'],
      summary: `${route.method} ${route.path}`,
      description: describeAccess(route.access),
      'x-skyy-access': route.access ?? null,
      parameters: [...pathParams, ...queryParameters(route.query)],
      responses: responses(route),
      ...(route.access?.kind === 'public' ? { security: [] } : {}),
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: toSchema(route.body, 'input') } },
      };
    }
    (paths[path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Skyy Command API',
      version,
      description:
        'Control plane for GPU hosting providers. Authenticate with a session cookie (browser; writes need the x-csrf-token header) or a personal API token (`Authorization: Bearer skyy_…`). Errors are RFC 9457 problem documents.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'Personal API token (skyy_…)' },
        session: { type: 'apiKey', in: 'cookie', name: 'skyy_session' },
      },
      schemas: { Problem: toSchema(problemSchema, 'output') },
    },
    security: [{ bearer: [] }, { session: [] }],
    paths,
  };
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function queryParameters(schema: z.ZodType | undefined): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: property,
  }));
}

function responses(route: RouteInfo): Record<string, unknown> {
  const problem = {
    content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
  };
  const success =
    route.status === 204
      ? { description: 'No content' }
      : {
          description: 'OK',
          ...(route.response
            ? { content: { 'application/json': { schema: toSchema(route.response.schema, 'output') } } }
            : {}),
        };
  return {
    [String(route.status)]: success,
    '400': { description: 'Invalid request (field errors in `errors`)', ...problem },
    ...(route.access?.kind === 'public'
      ? {}
      : {
          '401': { description: 'Not signed in', ...problem },
          '403': { description: 'Role not allowed', ...problem },
        }),
  };
}

function describeAccess(rule: AccessRule | undefined): string {
  if (!rule) return 'No access rule: refused for everyone.';
  if (rule.kind === 'public') return 'Public.';
  if (rule.kind === 'authenticated') return 'Any signed-in user.';
  if (rule.kind === 'agent') return 'Agents only: the bearer token of the agent of this host.';
  const staff = rule.minimum ? `${rule.minimum} or higher` : 'no staff role';
  return `Allowed: ${staff}${rule.customer ? '; customer users (their own resources only)' : ''}.`;
}
