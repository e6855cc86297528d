import 'reflect-metadata';
import { RequestMethod, type INestApplicationContext, type Type } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { z } from 'zod';
import { ACCESS_RULE, type AccessRule } from '../http/roles.ts';
import { BODY_SCHEMA, QUERY_SCHEMA, RESPONSE_SCHEMA } from '../http/zod-params.ts';

/** One HTTP route as declared in a controller, with what the OpenAPI document and the role matrix need. */
export interface RouteInfo {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Fastify-style path, e.g. `/api/v1/hosts/:id`. */
  path: string;
  controller: string;
  handler: string;
  access: AccessRule | undefined;
  body: z.ZodType | undefined;
  query: z.ZodType | undefined;
  response: { schema: z.ZodType; status: number } | undefined;
  status: number;
}

const methods: Partial<Record<RequestMethod, RouteInfo['method']>> = {
  [RequestMethod.GET]: 'GET',
  [RequestMethod.POST]: 'POST',
  [RequestMethod.PUT]: 'PUT',
  [RequestMethod.PATCH]: 'PATCH',
  [RequestMethod.DELETE]: 'DELETE',
};

/** Every route of the running application, read from the controllers' decorators. */
export function routeTable(app: Pick<INestApplicationContext, 'get'>): RouteInfo[] {
  const discovery = app.get(DiscoveryService, { strict: false });
  const reflector = app.get(Reflector, { strict: false });
  const scanner = new MetadataScanner();
  const routes: RouteInfo[] = [];
  for (const wrapper of discovery.getControllers()) {
    const type = wrapper.metatype as Type | null;
    if (!type) continue;
    const base = joinPath(Reflect.getMetadata(PATH_METADATA, type) as string | string[] | undefined);
    for (const name of scanner.getAllMethodNames(type.prototype)) {
      const fn = (type.prototype as Record<string, unknown>)[name];
      if (typeof fn !== 'function') continue;
      const methodCode = Reflect.getMetadata(METHOD_METADATA, fn) as RequestMethod | undefined;
      const method = methodCode === undefined ? undefined : methods[methodCode];
      if (!method) continue;
      const sub = joinPath(Reflect.getMetadata(PATH_METADATA, fn) as string | string[] | undefined);
      const path = `/${[base, sub].filter(Boolean).join('/')}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
      const response = Reflect.getMetadata(RESPONSE_SCHEMA, type.prototype, name) as RouteInfo['response'];
      const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, fn) as number | undefined;
      routes.push({
        method,
        path,
        controller: type.name,
        handler: name,
        access: reflector.getAllAndOverride<AccessRule | undefined>(ACCESS_RULE, [fn as () => unknown, type]),
        body: Reflect.getMetadata(BODY_SCHEMA, type.prototype, name) as z.ZodType | undefined,
        query: Reflect.getMetadata(QUERY_SCHEMA, type.prototype, name) as z.ZodType | undefined,
        response,
        status: httpCode ?? response?.status ?? (method === 'POST' ? 201 : 200),
      });
    }
  }
  return routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
}

function joinPath(value: string | string[] | undefined): string {
  const path = Array.isArray(value) ? (value[0] ?? '') : (value ?? '');
  return path.replace(/^\/+|\/+$/g, '');
}
